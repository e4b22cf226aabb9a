/**
 * `npm run bench:inventory` (issue 3): reservations per second through the real order endpoint on
 * one hot variant and on 100 variants, with the Durable Object lock and with the Postgres lock,
 * one after the other in one run against the local stack (wrangler dev, the machine's Postgres,
 * Redis behind the Upstash dev server). A sold-out phase counts oversells (must be 0). The
 * baseline is inventory_reserve called straight from Node with postgres.js at the same
 * concurrency: the database's own cost of the same work.
 */
import postgres from 'postgres'
import { recreateDatabase } from '../tools/db/migrate.ts'
import { devToken, startDevStack, type DevStack } from '../tools/dev/stack.ts'
import { load, machine, round, writeResults, type RunStats } from './lib.ts'

const PG = (process.env['BENCH_PG_URL'] ?? 'postgres://postgres:postgres@127.0.0.1:5432').replace(/\/$/, '')
const DB_URL = `${PG}/edge_payments_bench`
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 1500)
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16)
// Locally every live Durable Object holds one real Postgres connection (no Hyperdrive pooling), and
// the machine's Postgres allows 100: the spread phase stays below that (BENCH_SPREAD_VARIANTS).
const SPREAD_VARIANTS = Number(process.env['BENCH_SPREAD_VARIANTS'] ?? 60)
const SOLD_OUT_STOCK = 200
const SOLD_OUT_ATTEMPTS = 800

interface Scenario {
  lock: string
  hot: RunStats
  spread: RunStats
  soldOut: RunStats & { stock: number; succeeded: number; oversold: number; dbReserved: number }
}

async function createVariants(stack: DevStack, count: number, stock: number): Promise<string[]> {
  const res = await fetch(`${stack.urls.worker}/api/admin/products`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `bench ${Date.now()}`,
      variants: Array.from({ length: count }, (_, i) => ({
        sku: `B-${Date.now()}-${Math.random().toString(36).slice(2, 8)}-${i}`,
        name: `v${i}`,
        price: 100,
        currency: 'NGN',
        stock,
      })),
    }),
  })
  if (res.status !== 201) throw new Error(`create product: ${res.status} ${await res.text()}`)
  const body = (await res.json()) as { product: { variants: Array<{ id: string }> } }
  return body.product.variants.map((v) => v.id)
}

async function orderLoad(stack: DevStack, variants: string[], total: number, tokens: string[]): Promise<RunStats> {
  return load(total, CONCURRENCY, async (i) => {
    const res = await fetch(`${stack.urls.worker}/api/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[i % tokens.length]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ variant_id: variants[i % variants.length], quantity: 1 }] }),
    })
    await res.arrayBuffer()
    return String(res.status)
  })
}

async function scenario(lock: 'durable-object' | 'postgres', tokens: string[]): Promise<Scenario> {
  const stack = await startDevStack({ databaseUrl: DB_URL, seed: false, vars: { INVENTORY_LOCK: lock, LOG_LEVEL: 'warn' }, log: () => {} })
  try {
    const [hotVariant] = await createVariants(stack, 1, 1_000_000)
    await orderLoad(stack, [hotVariant!], 100, tokens) // warm-up: isolates, objects, connections
    const hot = await orderLoad(stack, [hotVariant!], REQUESTS, tokens)
    const spread = await orderLoad(stack, await createVariants(stack, SPREAD_VARIANTS, 1_000_000), REQUESTS, tokens)
    const [scarce] = await createVariants(stack, 1, SOLD_OUT_STOCK)
    const soldOutRun = await orderLoad(stack, [scarce!], SOLD_OUT_ATTEMPTS, tokens)
    const sql = postgres(DB_URL, { max: 1, onnotice: () => {} })
    const [row] = await sql<{ reserved: number; stock: number }[]>`select reserved, stock from product_variants where id = ${scarce!}`
    await sql.end()
    const succeeded = soldOutRun.byOutcome['201'] ?? 0
    return {
      lock,
      hot,
      spread,
      soldOut: {
        ...soldOutRun,
        stock: SOLD_OUT_STOCK,
        succeeded,
        oversold: Math.max(0, succeeded - SOLD_OUT_STOCK, (row?.reserved ?? 0) - (row?.stock ?? 0)),
        dbReserved: row?.reserved ?? -1,
      },
    }
  } finally {
    await stack.close()
  }
}

async function baseline(): Promise<RunStats> {
  const sql = postgres(DB_URL, { max: CONCURRENCY, onnotice: () => {}, fetch_types: false })
  try {
    await sql`insert into products (id, name) values ('prd_BENCHBASELINE', 'baseline') on conflict do nothing`
    await sql`insert into product_variants (id, product_id, sku, name, price_amount, currency, stock)
      values ('var_BENCHBASELINE', 'prd_BENCHBASELINE', 'BENCH-BASELINE', 'b', 100, 'NGN', 1000000) on conflict do nothing`
    const until = new Date(Date.now() + 15 * 60_000).toISOString()
    return await load(REQUESTS, CONCURRENCY, async (i) => {
      const [r] = await sql<
        { reserved: boolean }[]
      >`select reserved from inventory_reserve(${`ord_BASE${Date.now()}${i}`}, '{var_BENCHBASELINE}'::text[], '{1}'::integer[], ${until}::timestamptz, now())`
      return r?.reserved ? 'reserved' : 'refused'
    })
  } finally {
    await sql.end()
  }
}

const fmt = (s: RunStats) =>
  `${s.perSecond} | ${s.p50Ms} | ${s.p99Ms} | ${Object.entries(s.byOutcome)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ')}`

await recreateDatabase(DB_URL)
const { runMigrations } = await import('../tools/db/migrate.ts')
await runMigrations(DB_URL)
const tokens = await Promise.all(Array.from({ length: 64 }, (_, i) => devToken(`bench-user-${i}`, [])))
console.log(`bench:inventory: ${REQUESTS} orders per phase, ${CONCURRENCY} in flight`)
const results: Scenario[] = []
for (const lock of ['durable-object', 'postgres'] as const) {
  console.log(`  ${lock} lock…`)
  results.push(await scenario(lock, tokens))
}
console.log('  baseline: inventory_reserve from Node…')
const base = await baseline()

const md = [
  `# bench:inventory`,
  '',
  `Orders through \`POST /api/v1/orders\` (one line, quantity 1) on the local stack: wrangler dev, Postgres ${machine().postgres}, Redis through the Upstash dev server. ${REQUESTS} requests per phase, ${CONCURRENCY} in flight, after a 100-request warm-up. Locally, Hyperdrive does not pool: every request opens its own Postgres connection, which dominates the latency of both locks.`,
  '',
  "**Toolchain, not service:** the orders/s and latency columns of both locks are dominated by the local toolchain (wrangler dev's proxy, and unpooled local Hyperdrive: one new Postgres connection per request and per Durable Object), so they are not the service's cost; the oversell counts and the baseline row are, and `npm run bench:edge` measures orders on the pooled Deno entry.",
  '',
  '| lock | phase | orders/s | p50 ms | p99 ms | outcomes |',
  '|---|---|---|---|---|---|',
  ...results.flatMap((r) => [
    `| ${r.lock} | 1 hot variant | ${fmt(r.hot)} |`,
    `| ${r.lock} | ${SPREAD_VARIANTS} variants | ${fmt(r.spread)} |`,
    `| ${r.lock} | sold out (stock ${r.soldOut.stock}, ${SOLD_OUT_ATTEMPTS} attempts) | ${fmt(r.soldOut)} |`,
  ]),
  `| baseline | inventory_reserve from Node, 1 hot variant | ${fmt(base)} |`,
  '',
  `Oversold: ${results.map((r) => `${r.lock} ${r.soldOut.oversold}`).join(', ')} (must be 0). Successful sold-out orders: ${results.map((r) => `${r.lock} ${r.soldOut.succeeded}/${r.soldOut.stock}`).join(', ')}.`,
  '',
  `Service cost relative to the database's own: ${results.map((r) => `${r.lock} ${round(base.perSecond / r.hot.perSecond)}× slower than the bare SQL`).join('; ')}.`,
  '',
  `Machine: ${JSON.stringify(machine())}`,
  '',
].join('\n')
const files = writeResults('inventory', { machine: machine(), requests: REQUESTS, concurrency: CONCURRENCY, results, baseline: base }, md)
console.log(md)
console.log(`written: ${files.json}, ${files.md}`)
const oversold = results.reduce((n, r) => n + r.soldOut.oversold, 0)
process.exit(oversold === 0 ? 0 : 1)
