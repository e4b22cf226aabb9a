/**
 * `npm run bench:flows` (issue 7 "Load"): the main endpoint of every flow, one after the other, for
 * a fixed duration each (BENCH_SECONDS, default 10) at a fixed concurrency (BENCH_CONCURRENCY,
 * default 16), against the local stack started once (wrangler dev, the machine's Postgres in a
 * throwaway database, Redis behind the Upstash dev server, the QStash dev server and the three
 * gateway sandboxes). Beside each endpoint, the baseline: the main SQL statement(s) of that
 * endpoint executed straight from Node with postgres.js at the same concurrency, so every figure is
 * also a ratio of the service to its database's own cost. Results: bench/results/flows.{json,md}.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { recreateDatabase, runMigrations } from '../tools/db/migrate.ts'
import { devToken, startDevStack, type DevStack } from '../tools/dev/stack.ts'
import { benchClient, outcomeOf, parallel, type BenchClient } from './client.ts'
import {
  BENCH_PASSWORD,
  chargeSuccess,
  createVariants,
  issueGifts,
  linkPayPayUsers,
  paidZaloPayCallbacks,
  registerAccounts,
  settleOnPaystack,
} from './fixtures.ts'
import { loadFor, machine, round, writeResults, type RunStats } from './lib.ts'

const PG = (process.env['BENCH_PG_URL'] ?? 'postgres://postgres:postgres@127.0.0.1:5432').replace(/\/$/, '')
const DB_URL = `${PG}/edge_payments_bench_flows`
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10)
const BASELINE_SECONDS = Number(process.env['BENCH_BASELINE_SECONDS'] ?? Math.max(2, Math.round(SECONDS / 2)))
// Locally Hyperdrive does not pool: every request opens its own Postgres connection, and Postgres
// allows 100. 16 in flight (plus QStash deliveries and Durable Objects) stays well below.
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16)
const USERS = 96
const PAYPAY_USERS = 16
const ZALOPAY_SESSIONS = Number(process.env['BENCH_ZALOPAY_SESSIONS'] ?? 24)
/** Measure only the endpoints whose name contains this (a look at one; nothing is written). */
const ONLY = process.env['BENCH_ONLY']

let W = ''
let ADMIN = ''
let c: BenchClient
const post = (path: string, body: string, headers: Record<string, string>) => c.post(path, body, headers)
const status = outcomeOf

interface Endpoint {
  name: string
  /** The SQL measured as its baseline. */
  baselineSql: string
  service: RunStats
  baseline: RunStats
  note?: string
}

// ---- preparation (not measured) -----------------------------------------------------------------

async function prepare(stack: DevStack) {
  const rid = Date.now().toString(36).toUpperCase()
  const variants = await createVariants(c, ADMIN, `flows ${rid}`, 8, 1_000_000)
  const userIds = Array.from({ length: USERS }, (_, i) => `bench-flow-${rid}-${i}`)
  const tokens = await Promise.all(userIds.map((u) => devToken(u, [])))
  // Accounts for the login endpoint (5 attempts per account and 30 per IP per 15 minutes).
  const accounts = await registerAccounts(c, rid, USERS)
  // Guest cart sessions, one per worker.
  const carts = await parallel(CONCURRENCY, 4, async () => (await c.must('POST', '/api/v1/cart/session', {})).session_id as string)
  // Gifts for the redemption endpoint (the seed's supplier SUP-TOKYO, PIN 1234).
  const gifts = await issueGifts(c, ADMIN, rid, 3)
  // PayPay: linked users with points (the real consent flow through the sandbox).
  const paypayUsers = await linkPayPayUsers(c, ADMIN, rid, PAYPAY_USERS)
  // ZaloPay: won auctions, payment sessions, paid on the sandbox with the callback held back;
  // the signed callback bodies are what the endpoint receives.
  const callbacks = await paidZaloPayCallbacks(c, ADMIN, stack.urls.zalopay, rid, ZALOPAY_SESSIONS)
  return { variants, tokens, accounts, carts, gifts, paypayUsers, callbacks }
}

// ---- the service ---------------------------------------------------------------------------------

async function service(stack: DevStack): Promise<Record<string, { stats: RunStats; note?: string }>> {
  const d = await prepare(stack)
  const run = (task: (i: number) => Promise<string>) => loadFor(SECONDS * 1000, CONCURRENCY, task)
  const out: Record<string, { stats: RunStats; note?: string }> = {}
  const measure = async (name: string, task: (i: number) => Promise<string>, note?: string) => {
    if (ONLY && !name.includes(ONLY)) return
    process.stdout.write(`  ${name}… `)
    const stats = await run(task)
    out[name] = { stats, ...(note && { note }) }
    console.log(`${stats.perSecond}/s p50 ${stats.p50Ms} p99 ${stats.p99Ms} ${JSON.stringify(stats.byOutcome)}`)
  }

  // Warm-up (not measured): isolates, the catalog cache, connections.
  await loadFor(2000, CONCURRENCY, () => fetch(`${W}/api/v1/products`).then(status))
  await measure('GET /health', () => fetch(`${W}/health`).then(status))
  await measure('GET /api/v1/products', () => fetch(`${W}/api/v1/products`).then(status), 'Redis-cached (30 s) public read')
  await measure('POST /api/v1/cart/items (guest)', (i) =>
    post('/api/v1/cart/items', JSON.stringify({ variant_id: d.variants[i % d.variants.length], quantity: 1 }), {
      'x-cart-session': d.carts[i % d.carts.length]!,
    }),
  )
  await measure(
    'POST /api/v1/auth/login',
    (i) =>
      post('/api/v1/auth/login', JSON.stringify({ email: d.accounts[i % d.accounts.length], password: BENCH_PASSWORD }), {
        'cf-connecting-ip': `10.9.${Math.floor(i / 25) % 250}.${(i % 25) + 1}`,
      }),
    `PBKDF2-SHA256, 100 000 iterations per attempt; ${USERS} accounts in rotation (5 attempts per account per 15 min: beyond ${USERS * 5} attempts the answer is 429)`,
  )
  const orders: Array<{ id: string; token: string }> = []
  await measure(
    'POST /api/v1/orders',
    async (i) => {
      const token = d.tokens[i % d.tokens.length]!
      const res = await fetch(`${W}/api/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ variant_id: d.variants[i % d.variants.length], quantity: 1 }] }),
      })
      const body = (await res.json()) as { order_id?: string }
      if (res.status === 201 && body.order_id) orders.push({ id: body.order_id, token })
      return String(res.status)
    },
    'one line, quantity 1, over 8 variants (Durable Object lock)',
  )
  const references: string[] = []
  await measure(
    'POST /api/v1/orders/:id/payments',
    async (i) => {
      const o = orders[i % orders.length]!
      const res = await fetch(`${W}/api/v1/orders/${o.id}/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'bench@example.test' }),
      })
      const body = (await res.json()) as { reference?: string }
      if (res.status === 201 && body.reference) references.push(body.reference)
      return String(res.status)
    },
    'a fresh order each (201: payment + Paystack initialize on the sandbox); 200 = an order reused once they ran out',
  )

  // Settle the charges on the sandbox with its own webhooks held back: the bench sends them.
  const settled = await settleOnPaystack(stack.urls.paystack, references)
  if (settled.length === 0 && (!ONLY || 'POST /webhooks/paystack'.includes(ONLY)))
    throw new Error('no payment was created: nothing to send webhooks about')
  const sent: number[] = []
  await measure(
    'POST /webhooks/paystack',
    (i) => {
      // One in five repeats an event already sent (Paystack's at-least-once delivery).
      const duplicate = sent.length > 0 && i % 5 === 4
      const k = duplicate ? sent[i % sent.length]! : sent.length < settled.length ? sent.length : i % settled.length
      if (!duplicate) sent.push(k)
      const t = settled[k]!
      const { body, signature } = chargeSuccess(t)
      return post('/webhooks/paystack', body, { 'x-paystack-signature': signature })
    },
    `signed charge.success, 20% duplicates; each new one re-reads verify and settles (order paid, stock committed, outbox to QStash); ${settled.length} settled charges, so beyond that every event is a repeat`,
  )
  await measure(
    'POST /api/gifts/use',
    (i) =>
      post(
        '/api/gifts/use',
        JSON.stringify({ gift_id: d.gifts[i % d.gifts.length], supplier_invoice_no: 'INV-TOKYO-001', pin: '1234' }),
        {},
      ),
    `PIN checked with PBKDF2 each time; ${d.gifts.length} fresh gifts`,
  )
  await measure(
    'POST /api/v1/payment/zalopay/callback',
    (i) => post('/api/v1/payment/zalopay/callback', d.callbacks[i % d.callbacks.length]!, {}),
    `key2-signed callbacks of ${d.callbacks.length} paid sessions (each re-read through the query API); after the first ${d.callbacks.length} they are duplicates`,
  )
  await measure('GET /api/v1/points', (i) =>
    fetch(`${W}/api/v1/points`, { headers: { authorization: `Bearer ${d.paypayUsers[i % d.paypayUsers.length]}` } }).then(status),
  )
  await measure(
    'POST /mypage/points_exchange',
    (i) =>
      post('/mypage/points_exchange', JSON.stringify({ points: 1 }), {
        authorization: `Bearer ${d.paypayUsers[i % d.paypayUsers.length]}`,
        'idempotency-key': `bench-${i}-${Date.now()}`,
      }),
    `debit + cashback row in one transaction, then a QStash job gives the cashback on the PayPay sandbox; ${PAYPAY_USERS} linked users. ` +
      'Its 503s are Postgres refusing connections (too many clients): each give-cashback job waits up to 10 s for a PayPay rate slot ' +
      'with its per-request Postgres connection idle, and locally every such connection is a backend of its own (local Hyperdrive does not pool; ' +
      'deployed, Hyperdrive multiplexes idle client connections). The refused exchanges changed nothing (the 503 is a retry-later answer).',
  )
  return out
}

// ---- the baseline: the same main statements from Node ------------------------------------------

interface Baseline {
  sql: string
  setup?: (sql: postgres.Sql) => Promise<void>
  task: (sql: postgres.Sql, i: number) => Promise<unknown>
}

function baselines(): Record<string, Baseline> {
  const until = () => new Date(Date.now() + 15 * 60_000).toISOString()
  const run = Date.now().toString(36).toUpperCase()
  return {
    'GET /health': { sql: 'select 1', task: (sql) => sql`select 1` },
    'GET /api/v1/products': {
      sql: 'select products with their variants (page of 20)',
      task: (sql) =>
        sql`select p.id, p.name, v.id as variant_id, v.sku, v.price_amount, v.stock, v.reserved from products p join product_variants v on v.product_id = p.id where p.status = 'active' order by p.id limit 20`,
    },
    'POST /api/v1/cart/items (guest)': {
      sql: 'select the variant (the cart re-reads it; the cart itself is in Redis)',
      task: (sql) => sql`select id, price_amount, currency, stock, reserved from product_variants where id = 'var_BENCHBASELINE'`,
    },
    'POST /api/v1/auth/login': {
      sql: 'select the user by email',
      task: (sql) => sql`select id, email, password_hash from users where email = ${'nobody@example.test'}`,
    },
    'POST /api/v1/orders': {
      sql: 'inventory_reserve + insert order and line (one transaction), over 8 variants',
      task: (sql, i) =>
        sql.begin(async (tx) => {
          const id = `ord_BASE${run}${i}`
          const variant = `var_BENCHBASELINE${i % 8}`
          await tx`select reserved from inventory_reserve(${id}, ${`{${variant}}`}::text[], '{1}'::integer[], ${until()}::timestamptz, now())`
          await tx`insert into orders (id, user_id, status, currency, total_amount, expires_at, created_at, updated_at) values (${id}, 'bench', 'awaiting_payment', 'NGN', 100, ${until()}::timestamptz, now(), now())`
          await tx`insert into order_lines (order_id, variant_id, sku, name, unit_amount, quantity, line_amount) values (${id}, ${variant}, ${`BENCH-BASELINE-${i % 8}`}, 'b', 100, 1, 100)`
        }),
    },
    'POST /api/v1/orders/:id/payments': {
      sql: 'select the order + insert the payment',
      task: async (sql, i) => {
        await sql`select id, status, total_amount from orders where id = ${`ord_BASE${run}${i}`}`
        await sql`insert into payments (id, order_id, user_id, reference, amount, currency, status, email, created_at, updated_at) values (${`pay_BASE${run}${i}`}, ${`ord_X${run}${i}`}, 'bench', ${`TXN-BASE${run}${i}`}, 100, 'NGN', 'initialized', 'b@example.test', now(), now())`
      },
    },
    'POST /webhooks/paystack': {
      sql: 'insert into webhook_events … on conflict do nothing (20% duplicates)',
      task: (sql, i) =>
        sql`insert into webhook_events (provider, event_key, event_type, payload, status, received_at) values ('paystack', ${`charge.success:BASE${run}${i % 5 === 4 ? i - 1 : i}`}, 'charge.success', ${sql.json({ i })}, 'processing', now()) on conflict do nothing`,
    },
    'POST /api/gifts/use': {
      sql: 'select the gift + conditional update … where gift_status = 0 returning',
      setup: async (sql) => {
        await sql`insert into gift_codes (gift_id, gift_amount, gift_currency) select 'BASEGIFT-' || ${run} || '-' || g, 500, 'JPY' from generate_series(0, 200000) g`
      },
      task: async (sql, i) => {
        const id = `BASEGIFT-${run}-${i}`
        await sql`select gift_id, gift_status, gift_valid_from, gift_valid_until from gift_codes where gift_id = ${id}`
        await sql`update gift_codes set gift_status = 1, gift_used_datetime = now() where gift_id = ${id} and gift_status = 0 returning gift_id`
      },
    },
    'POST /api/v1/payment/zalopay/callback': {
      sql: 'insert into zalopay_callbacks … on conflict do nothing',
      task: (sql, i) =>
        sql`insert into zalopay_callbacks (app_trans_id, zp_trans_id, data, received_at) values (${`BASE${run}`}, ${String(i)}, ${sql.json({ i })}, now()) on conflict do nothing`,
    },
    'GET /api/v1/points': {
      sql: 'select the balance + the first 20 ledger entries',
      task: async (sql) => {
        await sql`select balance from points_accounts where user_id = 'bench-base'`
        await sql`select * from points_ledger where user_id = 'bench-base' order by id desc limit 20`
      },
    },
    'POST /mypage/points_exchange': {
      sql: 'guarded balance debit + ledger insert (one transaction), over 16 users',
      setup: async (sql) => {
        await sql`insert into points_accounts (user_id, balance) select 'bench-base-' || g, 100000000 from generate_series(0, 15) g on conflict (user_id) do update set balance = 100000000`
      },
      task: (sql, i) =>
        sql.begin(async (tx) => {
          const user = `bench-base-${i % 16}`
          const [row] = await tx<
            { balance: number }[]
          >`update points_accounts set balance = balance - 1, updated_at = now() where user_id = ${user} and balance >= 1 returning balance`
          await tx`insert into points_ledger (id, user_id, kind, points, balance_after, idempotency_key, actor, request_id, created_at) values (${`ple_BASE${run}${i}`}, ${user}, 'exchange_debit', -1, ${row!.balance}, ${`base-${run}-${i}`}, 'bench', 'bench', now())`
        }),
    },
  }
}

async function baseline(): Promise<Record<string, { sql: string; stats: RunStats }>> {
  const sql = postgres(DB_URL, { max: CONCURRENCY, onnotice: () => {}, fetch_types: false })
  const out: Record<string, { sql: string; stats: RunStats }> = {}
  try {
    await sql`insert into products (id, name) values ('prd_BENCHBASELINE', 'baseline') on conflict do nothing`
    await sql`insert into product_variants (id, product_id, sku, name, price_amount, currency, stock) values ('var_BENCHBASELINE', 'prd_BENCHBASELINE', 'BENCH-BASELINE', 'b', 100, 'NGN', 100000000) on conflict do nothing`
    await sql`insert into product_variants (id, product_id, sku, name, price_amount, currency, stock)
      select 'var_BENCHBASELINE' || g, 'prd_BENCHBASELINE', 'BENCH-BASELINE-' || g, 'b', 100, 'NGN', 100000000 from generate_series(0, 7) g on conflict do nothing`
    for (const [name, b] of Object.entries(baselines())) {
      if (ONLY && !name.includes(ONLY)) continue
      await b.setup?.(sql)
      process.stdout.write(`  ${name}: ${b.sql}… `)
      const stats = await loadFor(BASELINE_SECONDS * 1000, CONCURRENCY, async (i) => {
        await b.task(sql, i)
        return 'ok'
      })
      out[name] = { sql: b.sql, stats }
      console.log(`${stats.perSecond}/s p50 ${stats.p50Ms} p99 ${stats.p99Ms} ${JSON.stringify(stats.byOutcome)}`)
    }
  } finally {
    await sql.end()
  }
  return out
}

// ---- main ------------------------------------------------------------------------------------------

const errorsOf = (s: RunStats) =>
  Object.entries(s.byOutcome)
    .filter(([k]) => !/^[23]\d\d$|^ok$/.test(k))
    .reduce((n, [, v]) => n + v, 0)
const outcomes = (s: RunStats) =>
  Object.entries(s.byOutcome)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ')

await recreateDatabase(DB_URL)
await runMigrations(DB_URL)
const persistTo = mkdtempSync(join(tmpdir(), 'bench-flows-'))
console.log(`bench:flows: ${SECONDS} s per endpoint, ${CONCURRENCY} in flight; baseline ${BASELINE_SECONDS} s per statement`)
const loadBefore = loadavg()
const stack = await startDevStack({ databaseUrl: DB_URL, seed: true, persistTo, vars: { LOG_LEVEL: 'error' }, log: () => {} })
W = stack.urls.worker
ADMIN = stack.adminToken
c = benchClient(W)
let measured: Awaited<ReturnType<typeof service>>
try {
  measured = await service(stack)
} finally {
  await stack.close()
  rmSync(persistTo, { recursive: true, force: true })
}
console.log('  baseline: the same statements from Node with postgres.js…')
const base = await baseline()

const endpoints: Endpoint[] = Object.entries(measured).map(([name, m]) => ({
  name,
  service: m.stats,
  baseline: base[name]!.stats,
  baselineSql: base[name]!.sql,
  ...(m.note && { note: m.note }),
}))
const m = { ...machine(), loadAverage: { before: loadBefore.map((x) => round(x, 2)), after: loadavg().map((x) => round(x, 2)) } }
const md = [
  '# bench:flows',
  '',
  `The main endpoint of every flow on the local stack (wrangler dev; Postgres ${m.postgres}; Redis ${m.redis} through the Upstash dev server; QStash dev server; Paystack, ZaloPay and PayPay sandboxes), ${SECONDS} s each with ${CONCURRENCY} requests in flight, one endpoint after the other in one run. Baseline: the endpoint's main SQL statement(s) executed straight from Node with postgres.js (pool of ${CONCURRENCY}) for ${BASELINE_SECONDS} s in the same run, on the same database.`,
  '',
  `Concurrency is kept at ${CONCURRENCY} on purpose: locally Hyperdrive does not pool, so every request opens its own Postgres connection (which dominates most latencies below), and Postgres allows 100 connections shared with QStash deliveries and Durable Objects. "errors" counts every answer that is not 2xx/3xx (429 and 4xx included) and every failed request.`,
  '',
  "**Toolchain, not service:** the req/s, p50 and p99 columns are dominated by the local toolchain (wrangler dev's proxy in front of the Worker, and unpooled local Hyperdrive: one new Postgres connection per request), so they are not the service's cost; the SQL columns and the outcomes are, and `npm run bench:edge` measures the service on the pooled Deno entry.",
  '',
  '| endpoint | req/s | p50 ms | p99 ms | errors | outcomes | baseline SQL | SQL/s | SQL p50 ms | service cost (SQL/s ÷ req/s) |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...endpoints.map(
    (e) =>
      `| ${e.name} | ${e.service.perSecond} | ${e.service.p50Ms} | ${e.service.p99Ms} | ${errorsOf(e.service)} | ${outcomes(e.service)} | ${e.baselineSql} | ${e.baseline.perSecond} | ${e.baseline.p50Ms} | ${round(e.baseline.perSecond / Math.max(e.service.perSecond, 0.1))}× |`,
  ),
  '',
  'Notes:',
  ...endpoints.filter((e) => e.note).map((e) => `- ${e.name}: ${e.note}`),
  '',
  `Load average (1, 5, 15 min) before the run ${m.loadAverage.before.join(', ')}, after ${m.loadAverage.after.join(', ')}: anything above the core count means other work shared the machine and the figures are pessimistic.`,
  '',
  `Machine: ${JSON.stringify(m)}`,
  '',
].join('\n')
console.log(md)
if (ONLY) console.log(`BENCH_ONLY=${ONLY}: a partial run, results not written`)
else {
  const files = writeResults(
    'flows',
    { machine: m, seconds: SECONDS, baselineSeconds: BASELINE_SECONDS, concurrency: CONCURRENCY, endpoints },
    md,
  )
  console.log(`written: ${files.json}, ${files.md}`)
}
process.exit(0)
