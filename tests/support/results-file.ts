import { mkdirSync, writeFileSync } from 'node:fs'
import { arch, cpus, platform, release } from 'node:os'
import { dirname } from 'node:path'

/** The machine a test run's figures were measured on, written beside them. */
export const machine = () => ({
  platform: `${platform()} ${release()}`,
  arch: arch(),
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
})

/** Writes `<out>.json` (the data with the time and machine) and `<out>.md` (a heading, an intro, the table). */
export function writeResults(out: string, data: Record<string, unknown>, md: { title: string; intro: string; table: string }): void {
  mkdirSync(dirname(out), { recursive: true })
  const m = machine()
  const at = new Date().toISOString()
  writeFileSync(`${out}.json`, `${JSON.stringify({ generated_at: at, machine: m, ...data }, null, 2)}\n`)
  writeFileSync(`${out}.md`, `# ${md.title}\n\nGenerated ${at} on ${m.cpus} × ${m.cpu}, Node ${m.node}. ${md.intro}\n\n${md.table}\n`)
}
