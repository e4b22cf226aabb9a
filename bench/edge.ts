/**
 * `npm run bench:edge` (issue 13, point 4): the main endpoint of every flow on the pooled Deno
 * entry with 0, 10 and 40 ms of round-trip time added between it and Postgres and the Upstash REST
 * dev server (BENCH_RTTS), at 16 and 64 requests in flight (BENCH_INFLIGHT): requests/s, p50, p99
 * and outcomes per endpoint, the statements, round trips and Redis calls one request costs
 * (counted by the proxies), a flash sale per RTT (oversell and applied-twice must be 0), the bare
 * SQL of the hot statements through the same proxy as a baseline, and the reconciliation report
 * after the run. Results: bench/results/edge.{json,md} (BENCH_WRITE=0 for a look without writing).
 * Bounded: every cell by BENCH_SECONDS (default 4) and BENCH_MAX_REQUESTS, the flash sale by its
 * stock and BENCH_FLASH_SECONDS, the whole run by BENCH_TIMEOUT_SECONDS; everything started is
 * stopped at the end, also on failure or Ctrl-C.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { benchClient } from './client.ts'
import { prepareBaseline, runBaseline, type BaselineRow } from './edge/baseline.ts'
import { countRequest, type Counted } from './edge/count.ts'
import { prepareEndpoints } from './edge/endpoints.ts'
import { flashSale, type FlashSale } from './edge/flash-sale.ts'
import { markdown, targets, type Cell, type EdgeResults, type Reconciliation } from './edge/report.ts'
import { startEdgeStack, type EdgeStack } from './edge/stack.ts'
import { loadFor, loadUpTo, machine, round, writeResults } from './lib.ts'

const env = process.env
const list = (v: string) =>
  v
    .split(',')
    .map((x) => Number(x.trim()))
    .filter((x) => Number.isFinite(x) && x >= 0)
const PG = (env['BENCH_PG_URL'] ?? 'postgres://postgres:postgres@127.0.0.1:5432').replace(/\/$/, '')
const DB_URL = `${PG}/edge_payments_bench_edge`
const SQL_DB_URL = `${PG}/edge_payments_bench_edge_sql`
const RTTS = list(env['BENCH_RTTS'] ?? '0,10,40')
const IN_FLIGHT = list(env['BENCH_INFLIGHT'] ?? '16,64')
const SECONDS = Number(env['BENCH_SECONDS'] ?? 4)
const BASELINE_SECONDS = Number(env['BENCH_BASELINE_SECONDS'] ?? 1)
const MAX_REQUESTS = Number(env['BENCH_MAX_REQUESTS'] ?? 5000)
const PROBE_REQUESTS = Number(env['BENCH_PROBE_REQUESTS'] ?? 8)
const PROBE_SECONDS = 15
const FLASH_STOCK = Number(env['BENCH_FLASH_STOCK'] ?? 200)
const FLASH_BUYERS = 64
const FLASH_SECONDS = Number(env['BENCH_FLASH_SECONDS'] ?? 30)
const TIMEOUT_SECONDS = Number(env['BENCH_TIMEOUT_SECONDS'] ?? 900)
/** Measure only the endpoints whose name contains this (the flash sale and baseline still run). */
const ONLY = env['BENCH_ONLY']
const WRITE = env['BENCH_WRITE'] !== '0' && !ONLY
/** Per RTT: first a probe (requests one after the other: the unloaded latency), then each load. */
const PHASES = [{ n: 1, cap: PROBE_REQUESTS }, ...IN_FLIGHT.filter((n) => n !== 1).map((n) => ({ n, cap: MAX_REQUESTS }))]
const log = (l: string) => console.log(l)

let stack: EdgeStack | undefined
const stop = async (code: number, why: string) => {
  console.error(why)
  await stack?.close()
  process.exit(code)
}
process.once('SIGINT', () => void stop(130, 'interrupted: stopping everything'))
process.once('SIGTERM', () => void stop(143, 'terminated: stopping everything'))
setTimeout(() => void stop(1, `bench:edge took longer than ${TIMEOUT_SECONDS} s: stopped`), TIMEOUT_SECONDS * 1000).unref()

const versionOf = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .split('\n')[0]!
      .trim()
  } catch {
    return 'unknown'
  }
}
const pkgVersion = (name: string) =>
  (JSON.parse(readFileSync(fileURLToPath(new URL(`../node_modules/${name}/package.json`, import.meta.url)), 'utf8')) as { version: string })
    .version

const loadBefore = loadavg()
const started = Date.now()
console.log(
  `bench:edge: RTTs ${RTTS.join(', ')} ms; ${IN_FLIGHT.join(', ')} in flight; ${SECONDS} s per cell; flash sale stock ${FLASH_STOCK}, ${FLASH_BUYERS} buyers`,
)
const cells: Cell[] = []
const flashSales: FlashSale[] = []
const baseline: Array<BaselineRow & { rttMs: number }> = []
const counts: Record<string, Counted> = {}
/** Over the whole run (sections past 1000 records are cut short), and since the last flash sale began (small enough to compare whole). */
const reconciliation: { wholeRun: Reconciliation; sinceLastFlashSale: Reconciliation } = {
  wholeRun: { error: 'not run' },
  sinceLastFlashSale: { error: 'not run' },
}
let lastFlashSaleAt = ''
/** Phases that failed (the run goes on: e.g. Postgres full of other work's connections for a while). */
const failures: Array<{ phase: string; rttMs: number; error: string }> = []
const attempt = async (phase: string, rttMs: number, fn: () => Promise<void>) => {
  try {
    await fn()
  } catch (e) {
    failures.push({ phase, rttMs, error: (e as Error).message.slice(0, 300) })
    console.error(`  ${phase} at ${rttMs} ms failed: ${(e as Error).message}`)
  }
}
let endpointList: Array<{ name: string; note: string }> = []

try {
  stack = await startEdgeStack(DB_URL, log)
  const s = stack
  const c = benchClient(s.base)
  console.log(`stack up in ${round((Date.now() - started) / 1000)} s (Deno on ${s.base}); preparing data…`)
  const sizes = {
    cells: RTTS.length * PHASES.length,
    loadCells: RTTS.length * (PHASES.length - 1),
    probeRequests: PROBE_REQUESTS,
    seconds: SECONDS,
  }
  const endpoints = (
    await prepareEndpoints(s, c, { ...sizes, users: 96, accounts: 128, paypayUsers: 16, giftBatches: 3, zalopayPerCell: 4 }, log)
  ).filter((e) => !ONLY || e.name.includes(ONLY))
  endpointList = endpoints.map((e) => ({ name: e.name, note: e.note }))
  await prepareBaseline(SQL_DB_URL)
  const sqlThroughProxy = new URL(SQL_DB_URL)
  sqlThroughProxy.hostname = '127.0.0.1'
  sqlThroughProxy.port = String(s.postgres.port)
  // Warm-up (not measured): the pool's connections, the catalog cache, Deno's JIT.
  await loadFor(1500, 16, (i) =>
    fetch(`${s.base}${i % 2 ? '/health' : '/api/v1/products'}`).then(async (r) => (await r.arrayBuffer(), String(r.status))),
  )
  console.log(`prepared in ${round((Date.now() - started) / 1000)} s`)

  for (const [r, rtt] of RTTS.entries()) {
    s.setRtt(rtt)
    console.log(`added RTT ${rtt} ms`)
    for (const [k, { n, cap }] of PHASES.entries()) {
      for (const e of endpoints) {
        const prepared = await e.before?.(r * PHASES.length + k).then(
          () => true,
          (err: Error) => (failures.push({ phase: `preparing ${e.name}`, rttMs: rtt, error: err.message.slice(0, 300) }), false),
        )
        if (prepared === false) {
          cells.push({ rttMs: rtt, inFlight: n, endpoint: e.name, skipped: 'its preparation failed (see failures)' })
          continue
        }
        const fresh = Math.min(cap, n === 1 ? Infinity : (e.perCell ?? Infinity), e.available())
        if (fresh <= 0) {
          cells.push({ rttMs: rtt, inFlight: n, endpoint: e.name, skipped: 'no fresh data left (the step that feeds it produced none)' })
          console.log(`  ${e.name} @${n}: skipped (no fresh data)`)
          continue
        }
        const stats = await loadUpTo(fresh, (n === 1 ? PROBE_SECONDS : SECONDS) * 1000, n, e.request)
        cells.push({ rttMs: rtt, inFlight: n, endpoint: e.name, stats })
        console.log(`  ${e.name} @${n}: ${stats.perSecond}/s p50 ${stats.p50Ms} p99 ${stats.p99Ms} ${JSON.stringify(stats.byOutcome)}`)
      }
    }
    await attempt('flash sale', rtt, async () => {
      lastFlashSaleAt = new Date().toISOString()
      const sale = await flashSale(s, c, rtt, { buyers: FLASH_BUYERS, stock: FLASH_STOCK, deadlineMs: FLASH_SECONDS * 1000 })
      flashSales.push(sale)
      console.log(
        `  flash sale: ${sale.ordersPerSecond} orders/s, ${sale.settledPerSecond} settled/s, oversell ${sale.oversell}, applied twice ${sale.appliedTwice} ${JSON.stringify(sale.outcomes)}`,
      )
    })
    await attempt('SQL baseline', rtt, async () => {
      for (const row of await runBaseline(sqlThroughProxy.toString(), IN_FLIGHT, BASELINE_SECONDS, log))
        baseline.push({ ...row, rttMs: rtt })
    })
    if (r === 0) {
      console.log('  counting one request at a time…')
      for (const e of endpoints) {
        await attempt(`counting ${e.name}`, rtt, async () => {
          await e.before?.(-1)
          const x = (counts[e.name] = await countRequest(s, e.request, 1_000_000))
          console.log(
            `    ${e.name}: ${x.settled.statements} statements, ${x.settled.roundTrips} round trips, ${x.settled.redisCalls} Redis (at the answer ${x.atResponse.statements}/${x.atResponse.roundTrips}/${x.atResponse.redisCalls}) ${x.outcomes.join(',')}`,
          )
        })
      }
    }
    // Jobs the RTT's requests published finish before the next RTT starts (bounded).
    await Promise.race([s.qstash.drain(0), new Promise((res) => setTimeout(res, 20_000))])
  }

  s.setRtt(0)
  for (const e of endpoints) await attempt(`finishing ${e.name}`, 0, async () => e.finish?.())
  await Promise.race([s.qstash.drain(0), new Promise((res) => setTimeout(res, 20_000))])
  reconciliation.wholeRun = await reconcile(s, new Date(started - 60_000).toISOString()).catch((e: Error) => ({ error: e.message }))
  if (lastFlashSaleAt) reconciliation.sinceLastFlashSale = await reconcile(s, lastFlashSaleAt).catch((e: Error) => ({ error: e.message }))
  console.log(`reconciliation: ${JSON.stringify(reconciliation)}`)
} catch (e) {
  console.error(`bench:edge failed: ${(e as Error).stack ?? e}`)
  process.exitCode = 1
} finally {
  await stack?.close()
}

async function reconcile(s: EdgeStack, since: string): Promise<Reconciliation> {
  const r = await benchClient(s.base).api('GET', `/api/admin/reconciliation?fresh=true&limit=1000&since=${encodeURIComponent(since)}`, {
    token: s.adminToken,
  })
  if (r.status !== 200) return { error: `${r.status} ${JSON.stringify(r.body).slice(0, 200)}` }
  const kinds: Record<string, number> = {}
  for (const m of r.body.mismatches as Array<{ kind: string }>) kinds[m.kind] = (kinds[m.kind] ?? 0) + 1
  return {
    mismatchCount: r.body.mismatch_count,
    kinds,
    checked: r.body.checked,
    unchecked: r.body.unchecked.length,
    truncated: r.body.truncated,
  }
}

const m = {
  ...machine(),
  deno: versionOf(fileURLToPath(new URL('../node_modules/.bin/deno', import.meta.url)), ['--version']),
  postgresJs: pkgVersion('postgres'),
  drizzleOrm: pkgVersion('drizzle-orm'),
  loadAverage: { before: loadBefore.map((x) => round(x, 2)), after: loadavg().map((x) => round(x, 2)) },
  wallSeconds: round((Date.now() - started) / 1000),
}
const config = {
  rtts: RTTS,
  inFlight: PHASES.map((p) => p.n),
  probeRequests: PROBE_REQUESTS,
  seconds: SECONDS,
  baselineSeconds: BASELINE_SECONDS,
  flashStock: FLASH_STOCK,
  flashBuyers: FLASH_BUYERS,
}
const results: EdgeResults = {
  machine: m,
  config,
  endpoints: endpointList,
  counts,
  cells,
  flashSales,
  baseline,
  reconciliation,
  failures,
  targets: targets({ cells, flashSales, config }),
}
const md = markdown(results)
console.log(md)
for (const t of results.targets)
  console.log(`target: ${t.pass === null ? 'NOT MEASURED' : t.pass ? 'PASS' : 'FAIL'}  ${t.target}: ${t.value}`)
const unsafe = flashSales.reduce((n, f) => n + f.oversell + f.appliedTwice, 0)
if (unsafe > 0) console.error(`oversell or applied twice in a flash sale: ${unsafe} (must be 0)`)
if (WRITE && process.exitCode !== 1) {
  const files = writeResults('edge', results, md)
  console.log(`written: ${files.json}, ${files.md}`)
} else console.log('results not written (BENCH_WRITE=0, BENCH_ONLY, or a failed run)')
console.log(`bench:edge took ${m.wallSeconds} s`)
process.exit(unsafe > 0 ? 1 : (process.exitCode ?? 0))
