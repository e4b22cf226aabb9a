import { relative } from 'node:path'
import type { Reporter, TestModule } from 'vitest/node'
import { writeResults } from './results-file.ts'

/** The suites whose figures issue 7 asks for: faults, hostile input, reconciliation. */
const SUITES = /tests\/(integration\/(chaos|hardening|reconciliation)|aftermath)\//

interface SuiteFigures {
  file: string
  tests: number
  passed: number
  failed: number
  skipped: number
  figures: Record<string, number>
}

/**
 * Sums, per fault/hostile-input suite, how many tests passed and the figures the tests counted
 * (tests/support/figures.ts), prints a table at the end of every run that included them, and
 * writes bench/results/chaos.{json,md} when CHAOS_RESULTS=1 (`npm run test:chaos`).
 */
export default class ChaosFiguresReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const suites: SuiteFigures[] = []
    for (const m of modules) {
      const file = relative(process.cwd(), m.moduleId)
      if (!SUITES.test(file)) continue
      const s: SuiteFigures = { file, tests: 0, passed: 0, failed: 0, skipped: 0, figures: {} }
      for (const t of m.children.allTests()) {
        s.tests++
        const state = t.result().state
        if (state === 'passed') s.passed++
        else if (state === 'failed') s.failed++
        else s.skipped++
        for (const [k, v] of Object.entries(t.meta().figures ?? {})) s.figures[k] = (s.figures[k] ?? 0) + v
      }
      suites.push(s)
    }
    if (suites.length === 0) return
    suites.sort((a, b) => a.file.localeCompare(b.file))
    const md = render(suites)
    console.log(`\n${md}`)
    if (process.env['CHAOS_RESULTS'] === '1') {
      writeResults(
        'bench/results/chaos',
        { suites },
        { title: 'Fault and hostile-input suites (npm run test:chaos)', intro: '', table: md },
      )
      console.log('chaos figures written to bench/results/chaos.{json,md}')
    }
  }
}

function render(suites: readonly SuiteFigures[]): string {
  const total = suites.reduce((t, s) => ({ tests: t.tests + s.tests, passed: t.passed + s.passed, failed: t.failed + s.failed }), {
    tests: 0,
    passed: 0,
    failed: 0,
  })
  const lines = [
    '| suite | tests passed | failed | figures |',
    '| --- | ---: | ---: | --- |',
    ...suites.map(
      (s) =>
        `| ${s.file} | ${s.passed}/${s.tests} | ${s.failed} | ${
          Object.entries(s.figures)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ') || '–'
        } |`,
    ),
    `| **all** | **${total.passed}/${total.tests}** | **${total.failed}** | |`,
  ]
  return lines.join('\n')
}
