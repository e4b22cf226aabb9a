import { defineConfig } from 'vitest/config'

// Test tiers (see README): each is a Vitest project so `vitest run --project NAME` runs one tier.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'tools',
          environment: 'node',
          include: ['tools/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
    ],
  },
})
