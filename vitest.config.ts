import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { TEST_ENV } from './tests/support/test-env.ts'

// Test tiers (see README): each is a Vitest project, so `vitest run --project NAME` runs one tier.
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', environment: 'node', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        test: { name: 'tools', environment: 'node', include: ['tools/**/*.test.ts'], testTimeout: 20_000 },
      },
      {
        // Inside workerd, through the Hyperdrive binding to the real local Postgres and through the
        // Upstash dev server to the real local Redis; global setup starts those and migrates.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              hyperdrives: { HYPERDRIVE: TEST_ENV.integrationDatabaseUrl },
              bindings: TEST_ENV.workerBindings,
            },
          }),
        ],
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
