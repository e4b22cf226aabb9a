/**
 * `npm run bench:realtime` (issue 5): how long from ZaloPay's callback request reaching the Worker
 * until the user's browser tabs hold the PAYMENT_STATUS message, against the local stack (wrangler
 * dev with the per-user Durable Objects, the machine's Postgres, Redis behind the Upstash dev
 * server, the ZaloPay sandbox). Two scenarios: 1 connected user, and 1,000 connected users, each
 * with several sockets open. Payments are prepared first (auction, award, ZaloPay order paid on
 * the sandbox with its callback held back); only the callback is timed: the clock starts when the
 * callback request is sent and stops when the first (and the last) of the user's sockets has the
 * message. Results go to bench/results/realtime.{json,md}.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { recreateDatabase, runMigrations } from '../tools/db/migrate.ts'
import { devToken, startDevStack, type DevStack } from '../tools/dev/stack.ts'
import { startZaloPaySandbox, type ZaloPaySandbox } from '../tools/zalopay-sandbox/server.ts'
import { machine, round, writeResults } from './lib.ts'

const PG = (process.env['BENCH_PG_URL'] ?? 'postgres://postgres:postgres@127.0.0.1:5432').replace(/\/$/, '')
const DB_URL = `${PG}/edge_payments_bench_realtime`
const SOCKETS_PER_USER = Number(process.env['BENCH_SOCKETS_PER_USER'] ?? 3)
const MANY_USERS = Number(process.env['BENCH_USERS'] ?? 1000)
const SAMPLES = Number(process.env['BENCH_SAMPLES'] ?? 100)
const SETUP_CONCURRENCY = 8

interface Latency {
  samples: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

interface ScenarioResult {
  users: number
  socketsPerUser: number
  sockets: number
  connectSeconds: number
  firstTab: Latency
  allTabs: Latency
  callbackResponse: Latency
  lost: number
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0
}
const summary = (xs: number[]): Latency => ({
  samples: xs.length,
  p50Ms: round(pct(xs, 50), 2),
  p99Ms: round(pct(xs, 99), 2),
  maxMs: round(Math.max(0, ...xs), 2),
})

async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        await fn(items[i]!, i)
      }
    }),
  )
}

/** Setup calls (not timed); a 503 under the load of thousands of sockets is retried. */
async function api(stack: DevStack, method: string, path: string, token: string, body?: unknown, attempt = 1): Promise<any> {
  const res = await fetch(`${stack.urls.worker}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  const json = await res.json()
  if (res.status === 503 && attempt < 4) return api(stack, method, path, token, body, attempt + 1)
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

/** One user's open tabs: resolves waiters when a PAYMENT_STATUS COMPLETED for a payment arrives. */
class UserTabs {
  readonly sockets: WebSocket[] = []
  private readonly waiters = new Map<string, { arrivals: number[]; done: () => void }>()

  constructor(readonly userId: string) {}

  async open(stack: DevStack, token: string, count: number): Promise<void> {
    const url = `${stack.urls.worker.replace(/^http/, 'ws')}/payment-notifications?token=${token}`
    await Promise.all(
      Array.from({ length: count }, async () => {
        const ws = new WebSocket(url)
        await new Promise<void>((resolve, reject) => {
          ws.onopen = () => ws.send(JSON.stringify({ type: 'SUBSCRIBE', userId: this.userId, channels: ['payment_status'] }))
          ws.onerror = () => reject(new Error(`socket of ${this.userId} failed`))
          ws.onmessage = (e) => {
            const m = JSON.parse(String(e.data)) as { type: string; paymentId?: string; status?: string }
            if (m.type === 'SUBSCRIBED') resolve()
            if (m.type === 'PAYMENT_STATUS' && m.status === 'COMPLETED' && m.paymentId) this.arrived(m.paymentId)
          }
        })
        this.sockets.push(ws)
      }),
    )
  }

  expect(paymentId: string): { arrivals: number[]; all: Promise<void> } {
    const arrivals: number[] = []
    let done!: () => void
    const all = new Promise<void>((r) => (done = r))
    this.waiters.set(paymentId, { arrivals, done })
    return { arrivals, all }
  }

  private arrived(paymentId: string): void {
    const w = this.waiters.get(paymentId)
    if (!w) return
    w.arrivals.push(performance.now())
    if (w.arrivals.length === this.sockets.length) {
      this.waiters.delete(paymentId)
      w.done()
    }
  }

  close(): void {
    for (const ws of this.sockets) ws.close()
  }
}

interface Prepared {
  user: UserTabs
  paymentId: string
  callbackBody: string
}

/** Auction won by the user, ZaloPay order created and paid on the sandbox, callback held back. */
async function preparePayment(stack: DevStack, zp: ZaloPaySandbox, user: UserTabs, token: string, day: number): Promise<Prepared> {
  const nights = [new Date(Date.now() + (30 + day) * 86_400_000).toISOString().slice(0, 10)]
  const { property } = await api(stack, 'POST', '/api/admin/properties', stack.adminToken, {
    name: `Bench villa ${day}`,
    hostId: 'bench-host',
    maxGuests: 2,
    nightlyRate: 1,
  })
  const { auction } = await api(stack, 'POST', '/api/admin/auctions', stack.adminToken, { propertyId: property.id, nights })
  await api(stack, 'POST', `/api/admin/auctions/${auction.id}/results`, stack.adminToken, {
    awards: [{ userId: user.userId, nights, amount: 500_000, paymentDeadline: new Date(Date.now() + 86_400_000).toISOString() }],
  })
  const pay = await api(stack, 'POST', '/api/v1/payment/zalopay/create', token, {
    auctionId: auction.id,
    selectedNights: nights,
    amount: 500_000,
    orderInfo: 'bench',
  })
  const control = (path: string, body: unknown) =>
    fetch(`${zp.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) =>
      r.json(),
    )
  await control('/__control/callbacks/suppress', { app_trans_id: pay.appTransId })
  await control(`/__control/orders/${pay.appTransId}/settle`, { outcome: 'success' })
  const log = (await (await fetch(`${zp.url}/__control/callbacks?app_trans_id=${pay.appTransId}`)).json()) as {
    deliveries: Array<{ body: string }>
  }
  return { user, paymentId: pay.sessionId, callbackBody: log.deliveries[0]!.body }
}

async function scenario(stack: DevStack, zp: ZaloPaySandbox, users: number, samples: number): Promise<ScenarioResult> {
  const run = `${users}u${Date.now().toString(36)}`
  const tabs = Array.from({ length: users }, (_, i) => new UserTabs(`bench-${run}-${i}`))
  const tokens = new Map<string, string>()
  for (const t of tabs) tokens.set(t.userId, await devToken(t.userId, []))
  const connectStarted = performance.now()
  await pool(tabs, 100, (t) => t.open(stack, tokens.get(t.userId)!, SOCKETS_PER_USER))
  const connectSeconds = round((performance.now() - connectStarted) / 1000, 2)
  console.log(`    ${users * SOCKETS_PER_USER} sockets subscribed in ${connectSeconds} s; preparing ${samples} payments…`)

  const prepared: Prepared[] = []
  const picks = Array.from({ length: samples }, (_, i) => tabs[(i * 7919) % tabs.length]!)
  await pool(picks, SETUP_CONCURRENCY, async (user, i) => {
    prepared.push(await preparePayment(stack, zp, user, tokens.get(user.userId)!, i))
  })

  const firstTab: number[] = []
  const allTabs: number[] = []
  const callbackResponse: number[] = []
  let lost = 0
  for (const [i, p] of prepared.entries()) {
    const wait = p.user.expect(p.paymentId)
    const t0 = performance.now()
    const res = await fetch(`${stack.urls.worker}/api/v1/payment/zalopay/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: p.callbackBody,
    })
    const reply = (await res.json()) as { return_code: number }
    const answered = performance.now()
    if (reply.return_code !== 1) throw new Error(`callback not acknowledged: ${JSON.stringify(reply)}`)
    const arrived = await Promise.race([wait.all.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))])
    if (!arrived) {
      lost++
      console.log(`    lost: ${p.paymentId} reached ${wait.arrivals.length} of ${p.user.sockets.length} sockets`)
      continue
    }
    if (i < 5) continue // warm-up: isolates, connections, objects
    callbackResponse.push(answered - t0)
    firstTab.push(Math.min(...wait.arrivals) - t0)
    allTabs.push(Math.max(...wait.arrivals) - t0)
  }
  for (const t of tabs) t.close()
  return {
    users,
    socketsPerUser: SOCKETS_PER_USER,
    sockets: users * SOCKETS_PER_USER,
    connectSeconds,
    firstTab: summary(firstTab),
    allTabs: summary(allTabs),
    callbackResponse: summary(callbackResponse),
    lost,
  }
}

await recreateDatabase(DB_URL)
await runMigrations(DB_URL)
const zp = await startZaloPaySandbox({ port: 0 })
// Its own wrangler state: Durable Objects left by other runs (each holding a Postgres connection)
// must not share the machine's connection limit with this run.
const persistTo = mkdtempSync(join(tmpdir(), 'bench-realtime-'))
const stack = await startDevStack({
  databaseUrl: DB_URL,
  seed: false,
  persistTo,
  vars: { LOG_LEVEL: 'error', ZALOPAY_APP_ID: String(zp.appId), ZALOPAY_KEY1: zp.key1, ZALOPAY_KEY2: zp.key2, ZALOPAY_API_URL: zp.url },
  log: process.env['BENCH_DEBUG'] ? (l) => console.log(l) : () => {},
})
const results: ScenarioResult[] = []
try {
  console.log(`bench:realtime: ${SOCKETS_PER_USER} sockets per user, ${SAMPLES} callbacks per scenario (first 5 not kept)`)
  for (const users of [1, MANY_USERS]) {
    console.log(`  ${users} connected user(s)…`)
    results.push(await scenario(stack, zp, users, SAMPLES + 5))
  }
} finally {
  await stack.close()
  await zp.close()
  rmSync(persistTo, { recursive: true, force: true })
}

const row = (r: ScenarioResult) =>
  `| ${r.users} | ${r.sockets} | ${r.firstTab.p50Ms} | ${r.firstTab.p99Ms} | ${r.allTabs.p50Ms} | ${r.allTabs.p99Ms} | ${r.callbackResponse.p50Ms} | ${r.callbackResponse.p99Ms} | ${r.lost} |`
const md = [
  '# bench:realtime',
  '',
  `From the moment ZaloPay's callback request is sent to the Worker until the user's sockets hold PAYMENT_STATUS COMPLETED. Local stack: wrangler dev (a Durable Object per user, hibernating WebSockets), Postgres ${machine().postgres}, Redis through the Upstash dev server, the ZaloPay sandbox (the callback's query API call is part of the path: the callback body is never trusted for money). ${SOCKETS_PER_USER} sockets per user, all subscribed; one callback at a time; ${SAMPLES} timed callbacks per scenario after 5 untimed.`,
  '',
  "**Toolchain, not service:** the latencies in this table are dominated by the local toolchain (wrangler dev's proxy, and unpooled local Hyperdrive: one new Postgres connection per request for the callback), so they are not the service's cost; the gap between the first and the last tab and the lost count are not affected.",
  '',
  '| connected users | sockets | first tab p50 ms | first tab p99 ms | all tabs p50 ms | all tabs p99 ms | callback answered p50 ms | p99 ms | lost |',
  '|---|---|---|---|---|---|---|---|---|',
  ...results.map(row),
  '',
  'The push happens after the session update commits and before the callback is answered, so "callback answered" includes it; the first tab usually has the message before the callback answer reaches ZaloPay. Locally Hyperdrive does not pool, so each request opens its own Postgres connection, which dominates.',
  '',
].join('\n')
const files = writeResults('realtime', { machine: machine(), socketsPerUser: SOCKETS_PER_USER, samples: SAMPLES, results }, md)
console.log(md)
console.log(`written: ${files.md}, ${files.json}`)
