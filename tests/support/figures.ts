import { TestRunner } from 'vitest'

declare module 'vitest' {
  interface TaskMeta {
    /** Counts a fault or hostile-input test adds up (cases tried, faults injected, ...). */
    figures?: Record<string, number>
  }
}

/**
 * Adds `n` to a named figure of the running test. tests/support/chaos-figures-reporter.ts sums the
 * figures per suite, prints them, and (under `npm run test:chaos`) writes them to bench/results/.
 */
export function countFigure(name: string, n = 1): void {
  const test = TestRunner.getCurrentTest()
  if (!test) throw new Error(`countFigure(${name}) outside a running test`)
  const figures = (test.meta.figures ??= {})
  figures[name] = (figures[name] ?? 0) + n
}
