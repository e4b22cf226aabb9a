import { expect } from 'vitest'
import type { Counts } from './round-trips.ts'
import { recordBudget } from './round-trips.ts'

/** Records a request's settled counts and asserts its budget: exact statements and Redis calls. */
export function expectBudget(name: string, c: Counts, budget: { statements: number; redisCalls: number }): void {
  recordBudget(name, c)
  expect(c.statements, `${name}: statements`).toBe(budget.statements)
  expect(c.redisCalls, `${name}: Redis calls`).toBe(budget.redisCalls)
  expect(c.roundTrips, `${name}: round trips`).toBeLessThanOrEqual(2 * c.statements)
}
