import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { TEST_ENV } from './tests/support/test-env.ts'

/**
 * Inside workerd, through the Hyperdrive binding to the real local Postgres and through the
 * Upstash dev server to the real local Redis.
 */
const inWorker = (through: 'direct' | 'counting-proxies' = 'direct') =>
  cloudflareTest({
    wrangler: { configPath: './wrangler.toml' },
    miniflare: {
      hyperdrives: { HYPERDRIVE: through === 'direct' ? TEST_ENV.integrationDatabaseUrl : TEST_ENV.budgetsDatabaseUrl },
      bindings: through === 'direct' ? TEST_ENV.workerBindings : TEST_ENV.budgetsWorkerBindings,
    },
  })

const RUN_ALONE = [
  'tests/integration/chaos/gateway-faults-zalopay-paypay.test.ts',
  'tests/integration/reconciliation/reconciliation.test.ts',
  'tests/integration/loyalty/notifications-and-redrive.test.ts',
]

// Test tiers (see README): each is a Vitest project, so `vitest run --project NAME` runs one tier.
export default defineConfig({
  test: {
    reporters: ['default', './tests/support/chaos-figures-reporter.ts', './tests/support/budgets-reporter.ts'],
    projects: [
      {
        test: { name: 'unit', environment: 'node', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        test: { name: 'tools', environment: 'node', include: ['tools/**/*.test.ts'], testTimeout: 20_000 },
      },
      {
        // The global setup starts the dev servers and sandboxes and migrates a fresh database.
        plugins: [inWorker()],
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          exclude: RUN_ALONE,
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        // Round-trip budgets: the Worker reaches Postgres and the Upstash dev server through the
        // counting proxies (tools/latency-proxy) that the shared global setup starts, so a test
        // can count the statements, round trips and Redis calls of one request. One file at a
        // time, so no other request of this tier is counted with it.
        plugins: [inWorker('counting-proxies')],
        test: {
          name: 'budgets',
          include: ['tests/budgets/**/*.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
        },
      },
      {
        // Files that run the safety-net jobs with their waits cut to zero: those jobs act on every
        // due record, so they would settle other files' records mid-test. They run after the
        // parallel tier (a later group), one file at a time, on its database and sandboxes.
        plugins: [inWorker()],
        test: {
          name: 'integration-alone',
          include: RUN_ALONE,
          sequence: { groupOrder: 1 },
          fileParallelism: false,
          testTimeout: 30_000,
        },
      },
      {
        // After every other tier (a later group), against the database, dev servers and sandboxes
        // the integration tier left behind (global teardowns run only when the whole run ends): the
        // reconciliation report over everything the run did must list nothing.
        plugins: [inWorker()],
        test: {
          name: 'aftermath',
          include: ['tests/aftermath/**/*.test.ts'],
          sequence: { groupOrder: 2 },
          testTimeout: 120_000,
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
