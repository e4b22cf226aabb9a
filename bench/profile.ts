/**
 * `npm run bench:profile`: where a local request's time goes. Runs a fixed number of requests per
 * path against `npm run dev`'s stack and attributes the CPU every process spent to that path, read
 * from /proc before and after (Linux only): the Worker's workerd, wrangler's own proxy workerd and
 * Node CLI (development-only layers a deployed Worker does not have), this process (the load
 * generator plus the Upstash/QStash dev servers and the sandboxes, which share it), Postgres and
 * Redis. Paths go from no I/O at all (a 404) to Postgres and Redis. Results:
 * bench/results/profile.{json,md}.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { recreateDatabase, runMigrations } from '../tools/db/migrate.ts'
import { startDevStack } from '../tools/dev/stack.ts'
import { load, machine, round, writeResults, type RunStats } from './lib.ts'

const PG = (process.env['BENCH_PG_URL'] ?? 'postgres://postgres:postgres@127.0.0.1:5432').replace(/\/$/, '')
const DB_URL = `${PG}/edge_payments_bench_profile`
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 1000)
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16)
const TICK_MS = 10 // USER_HZ is 100 on Linux

const PATHS: Array<{ path: string; what: string }> = [
  { path: '/nope', what: 'no I/O: middleware, routing, the per-request dependency container, a 404' },
  { path: '/health', what: 'one Postgres query on a new connection + two Redis REST calls' },
  { path: '/api/v1/products', what: 'catalog page from the Redis cache (Postgres on a miss)' },
]

interface Proc {
  pid: number
  ppid: number
  comm: string
  args: string
  ticks: number
}

function processes(): Proc[] {
  const out: Proc[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      const fields = stat.slice(close + 2).split(' ')
      out.push({
        pid: Number(d),
        ppid: Number(fields[1]),
        comm: stat.slice(stat.indexOf('(') + 1, close),
        args: readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' '),
        ticks: Number(fields[11]) + Number(fields[12]),
      })
    } catch {
      // gone meanwhile
    }
  }
  return out
}

/** Which layer a process is: only this run's descendants, plus the machine's Postgres and Redis. */
function layerOf(p: Proc, mine: Set<number>, workerPort: number): string | null {
  if (p.comm === 'postgres') return 'postgres'
  if (p.comm === 'redis-server') return 'redis'
  if (!mine.has(p.pid)) return null
  if (p.pid === process.pid) return 'bench process (load generator + dev servers + sandboxes)'
  if (p.comm === 'workerd')
    return p.args.includes(`entry=127.0.0.1:${workerPort}`) ? "wrangler's proxy workerd (dev only)" : 'the Worker (workerd)'
  if (p.args.includes('wrangler')) return "wrangler's Node CLI (dev only)"
  return `other: ${p.comm}`
}

function descendants(all: Proc[]): Set<number> {
  const mine = new Set([process.pid])
  for (let grew = true; grew; ) {
    grew = false
    for (const p of all) if (!mine.has(p.pid) && mine.has(p.ppid)) mine.add(p.pid), (grew = true)
  }
  return mine
}

function cpuByLayer(before: Proc[], after: Proc[], workerPort: number): Record<string, number> {
  const mine = descendants(after)
  const start = new Map(before.map((p) => [p.pid, p.ticks]))
  const out: Record<string, number> = {}
  for (const p of after) {
    const layer = layerOf(p, mine, workerPort)
    if (!layer) continue
    out[layer] = (out[layer] ?? 0) + (p.ticks - (start.get(p.pid) ?? p.ticks)) * TICK_MS
  }
  return out
}

await recreateDatabase(DB_URL)
await runMigrations(DB_URL)
const persistTo = mkdtempSync(join(tmpdir(), 'bench-profile-'))
const loadBefore = loadavg()
const stack = await startDevStack({ databaseUrl: DB_URL, seed: true, persistTo, vars: { LOG_LEVEL: 'error' }, log: () => {} })
const port = Number(new URL(stack.urls.worker).port)
const rows: Array<{ path: string; what: string; stats: RunStats; cpuMsPerRequest: Record<string, number>; totalCpuMs: number }> = []
try {
  for (const { path, what } of PATHS) {
    const hit = () => fetch(`${stack.urls.worker}${path}`).then(async (r) => (await r.arrayBuffer(), String(r.status)))
    await load(100, CONCURRENCY, hit) // warm-up: isolates, connections, caches
    const before = processes()
    const stats = await load(REQUESTS, CONCURRENCY, hit)
    const cpu = cpuByLayer(before, processes(), port)
    const perRequest = Object.fromEntries(
      Object.entries(cpu)
        .map(([k, ms]) => [k, round(ms / stats.requests, 2)])
        .sort((a, b) => (b[1] as number) - (a[1] as number)),
    )
    const total = round(Object.values(cpu).reduce((a, b) => a + b, 0) / stats.requests, 2)
    rows.push({ path, what, stats, cpuMsPerRequest: perRequest, totalCpuMs: total })
    console.log(`${path}: ${stats.perSecond}/s p50 ${stats.p50Ms} ms, ${total} ms CPU per request ${JSON.stringify(perRequest)}`)
  }
} finally {
  await stack.close()
  rmSync(persistTo, { recursive: true, force: true })
}

const m = { ...machine(), loadAverage: { before: loadBefore.map((x) => round(x, 2)), after: loadavg().map((x) => round(x, 2)) } }
const layers = [...new Set(rows.flatMap((r) => Object.keys(r.cpuMsPerRequest)))]
const md = [
  '# bench:profile',
  '',
  `Where a local request's CPU goes: ${REQUESTS} requests per path, ${CONCURRENCY} in flight, against \`npm run dev\`'s stack (wrangler dev, Postgres, Redis behind the Upstash dev server; LOG_LEVEL=error). CPU per process from /proc (10 ms ticks) before and after, divided by the requests.`,
  '',
  "**Toolchain, not service:** req/s, p50, p99, the two dev-only columns and the Postgres column (a new backend per request) are dominated by the local toolchain (wrangler dev's proxy, and unpooled local Hyperdrive: one new Postgres connection per request), so they are not the service's cost; the Worker (workerd) column is the closest figure to it.",
  '',
  `| path | what it does | req/s | p50 ms | p99 ms | CPU ms per request | ${layers.join(' | ')} |`,
  `|---|---|---|---|---|---|${layers.map(() => '---').join('|')}|`,
  ...rows.map(
    (r) =>
      `| ${r.path} | ${r.what} | ${r.stats.perSecond} | ${r.stats.p50Ms} | ${r.stats.p99Ms} | ${r.totalCpuMs} | ${layers.map((l) => r.cpuMsPerRequest[l] ?? 0).join(' | ')} |`,
  ),
  '',
  'Reading it: the two "dev only" columns are wrangler\'s local proxy and CLI, which a deployed Worker does not have; Postgres pays a new backend per request because local Hyperdrive does not pool (deployed, Hyperdrive keeps connections warm); the bench process column also holds the load generator itself.',
  '',
  `Load average (1, 5, 15 min) before ${m.loadAverage.before.join(', ')}, after ${m.loadAverage.after.join(', ')} on ${m.cores} cores.`,
  '',
  `Machine: ${JSON.stringify(m)}`,
  '',
].join('\n')
const files = writeResults('profile', { machine: m, requests: REQUESTS, concurrency: CONCURRENCY, paths: rows }, md)
console.log(`written: ${files.md}`)
