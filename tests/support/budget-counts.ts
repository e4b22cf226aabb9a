import 'vitest'

/** What one request cost, read off the counting proxies in front of Postgres and the Upstash dev server. */
export interface Counts {
  /** Postgres Execute + simple Query messages (BEGIN and COMMIT included). */
  statements: number
  /** Postgres client-to-server turns after connection start-up. */
  roundTrips: number
  /** Postgres connections opened. */
  connections: number
  /** HTTP calls to the Upstash REST dev server. */
  redisCalls: number
}

declare module 'vitest' {
  interface TaskMeta {
    /** Round-trip budgets a test measured, by request name (tests/support/budgets-reporter.ts prints them). */
    budgets?: Record<string, Counts>
  }
}
