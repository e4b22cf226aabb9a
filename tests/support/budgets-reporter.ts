import { relative } from 'node:path'
import type { Reporter, TestModule } from 'vitest/node'
import type { Counts } from './budget-counts.ts'
import { writeResults } from './results-file.ts'

/**
 * Prints the round-trip budgets the budgets tier measured (tests/budgets, one row per request) at
 * the end of every run that included them, and writes bench/results/round-trips.{json,md} when
 * BUDGET_RESULTS=1, so the figures cited in issues and bench notes come from a run, not by hand.
 */
export default class BudgetsReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const rows: { file: string; request: string; passed: boolean; counts: Counts }[] = []
    for (const m of modules) {
      const file = relative(process.cwd(), m.moduleId)
      if (!file.startsWith('tests/budgets/')) continue
      for (const t of m.children.allTests()) {
        for (const [request, counts] of Object.entries(t.meta().budgets ?? {})) {
          rows.push({ file, request, passed: t.result().state === 'passed', counts })
        }
      }
    }
    if (rows.length === 0) return
    const md = [
      '| request | Postgres statements | Postgres round trips (new connection) | Redis calls | test |',
      '| --- | ---: | ---: | ---: | --- |',
      ...rows.map(
        (r) =>
          `| ${r.request} | ${r.counts.statements} | ${r.counts.roundTrips} | ${r.counts.redisCalls} | ${r.passed ? 'passed' : 'FAILED'} |`,
      ),
    ].join('\n')
    console.log(`\nRound trips per request (tests/budgets):\n${md}`)
    if (process.env['BUDGET_RESULTS'] === '1') {
      writeResults(
        'bench/results/round-trips',
        { rows },
        {
          title: 'Round trips per request (npm run test:budgets)',
          intro:
            'Counted by the latency proxy (tools/latency-proxy) between the Worker (workerd, local Hyperdrive: a new Postgres connection per request) and Postgres, and between the Worker and the Upstash REST dev server. Counts are deterministic; round trips include the describe flight postgres.js sends before each statement new to a connection.',
          table: md,
        },
      )
    }
  }
}
