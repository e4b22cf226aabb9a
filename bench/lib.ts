/**
 * Small load-generation kit for the benchmarks: a fixed number of requests with a fixed number in
 * flight, latency percentiles, and a results writer that records the machine and versions.
 */
import { execSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'

export interface RunStats {
  requests: number
  seconds: number
  perSecond: number
  p50Ms: number
  p99Ms: number
  byOutcome: Record<string, number>
}

/** Runs `total` tasks with at most `concurrency` in flight; each resolves to an outcome label. */
export function load(total: number, concurrency: number, task: (i: number) => Promise<string>): Promise<RunStats> {
  return drive(concurrency, (i) => i < total, task)
}

/**
 * Runs `task` for `durationMs` with `concurrency` in flight (each worker starts a new task as soon as
 * its last one ends); the same statistics as `load`, `requests` being how many completed.
 */
export function loadFor(durationMs: number, concurrency: number, task: (i: number) => Promise<string>): Promise<RunStats> {
  const until = performance.now() + durationMs
  return drive(concurrency, () => performance.now() < until, task)
}

/** Runs tasks for at most `durationMs` and at most `total` of them (whichever ends first), `concurrency` in flight. */
export function loadUpTo(total: number, durationMs: number, concurrency: number, task: (i: number) => Promise<string>): Promise<RunStats> {
  const until = performance.now() + durationMs
  return drive(concurrency, (i) => i < total && performance.now() < until, task)
}

/** The workers the drivers share: start task `i` while `more(i)`, time it, tally its outcome. */
async function drive(concurrency: number, more: (i: number) => boolean, task: (i: number) => Promise<string>): Promise<RunStats> {
  const latencies: number[] = []
  const byOutcome: Record<string, number> = {}
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (more(next)) {
        const i = next++
        const t0 = performance.now()
        let outcome: string
        try {
          outcome = await task(i)
        } catch (e) {
          outcome = `error:${(e as Error).message.slice(0, 60)}`
        }
        latencies.push(performance.now() - t0)
        byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0
  return {
    requests: latencies.length,
    seconds: round(seconds),
    perSecond: round(latencies.length / seconds),
    p50Ms: round(pct(50)),
    p99Ms: round(pct(99)),
    byOutcome,
  }
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits

export function machine() {
  const version = (cmd: string) => {
    try {
      return execSync(cmd, { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim()
        .split('\n')[0]
    } catch {
      return 'unknown'
    }
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: version('psql --version'),
    redis: version('redis-server --version'),
    wrangler: version(
      `${process.execPath} ${fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url))} --version`,
    ),
    at: new Date().toISOString(),
  }
}

export function writeResults(name: string, json: unknown, markdown: string): { json: string; md: string } {
  const dir = fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(dir, { recursive: true })
  const files = { json: `${dir}${name}.json`, md: `${dir}${name}.md` }
  writeFileSync(files.json, `${JSON.stringify(json, null, 2)}\n`)
  writeFileSync(files.md, markdown)
  return files
}
