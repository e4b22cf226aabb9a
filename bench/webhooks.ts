/**
 * `npm run bench:webhooks` (issue 4): Paystack webhook throughput on the local stack with 20%
 * duplicates, and the cost of the idempotency check. Payments are prepared through the API and paid
 * in the sandbox with its webhooks held back; the signed bodies it produced are then delivered to
 * the Worker by this script (each once, plus 20% again). A second run sends only duplicates (the
 * signature check plus the webhook_events claim, nothing else), and the baseline runs that claim's
 * INSERT … ON CONFLICT straight from Node.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { recreateDatabase, runMigrations } from '../tools/db/migrate.ts'
import { devToken, startDevStack } from '../tools/dev/stack.ts'
import { load, machine, round, writeResults, type RunStats } from './lib.ts'

const PG = (process.env['BENCH_PG_URL'] ?? 'postgres://postgres:postgres@127.0.0.1:5432').replace(/\/$/, '')
const DB_URL = `${PG}/edge_payments_bench_webhooks`
const PAYMENTS = Number(process.env['BENCH_PAYMENTS'] ?? 300)
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16)
const DUPLICATE_SHARE = 0.2

await recreateDatabase(DB_URL)
await runMigrations(DB_URL)
const persistTo = mkdtempSync(join(tmpdir(), 'bench-webhooks-'))
const stack = await startDevStack({ databaseUrl: DB_URL, seed: false, persistTo, vars: { LOG_LEVEL: 'warn' }, log: () => {} })
const w = stack.urls.worker
const ps = stack.urls.paystack
const json = async (res: Response) => (await res.json()) as any
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

try {
  console.log(`bench:webhooks: preparing ${PAYMENTS} paid payments…`)
  const product = await json(
    await post(
      `${w}/api/admin/products`,
      { name: 'webhook bench', variants: [{ sku: `WB-${Date.now()}`, name: 'v', price: 1000, currency: 'NGN', stock: 1_000_000 }] },
      { authorization: `Bearer ${stack.adminToken}` },
    ),
  )
  const variantId = product.product.variants[0].id
  await post(`${ps}/__control/webhooks/suppress`, { on: true })
  const references: string[] = []
  await load(PAYMENTS, 8, async (i) => {
    const auth = { authorization: `Bearer ${await devToken(`wb-user-${i}`, [])}` }
    const order = await json(await post(`${w}/api/v1/orders`, { items: [{ variant_id: variantId, quantity: 1 }] }, auth))
    const init = await json(await post(`${w}/api/v1/orders/${order.order_id}/payments`, { email: `wb${i}@example.test` }, auth))
    await post(`${ps}/__control/transactions/${init.reference}/settle`, { outcome: 'success' })
    references.push(init.reference)
    return 'ok'
  })
  const log = await json(await fetch(`${ps}/__control/webhooks?event=charge.success`))
  const bodies: Array<{ body: string; signature: string }> = log.events.map((e: any) => ({ body: e.body, signature: e.signature }))
  // Suppression stays on: the held-back events never reach the Worker on their own, and the
  // transactions stay in the sandbox for the verify calls new events make.

  const deliveries = [...bodies, ...bodies.slice(0, Math.round(bodies.length * DUPLICATE_SHARE))]
  const deliver = async (i: number, list: typeof bodies) => {
    const d = list[i]!
    const res = await fetch(`${w}/webhooks/paystack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-paystack-signature': d.signature },
      body: d.body,
    })
    const out = (await res.json()) as { status?: string; outcome?: string }
    return res.status === 200 ? (out.status ?? 'unknown') : `http ${res.status}`
  }
  console.log(`  delivering ${deliveries.length} webhooks (${bodies.length} distinct, ${DUPLICATE_SHARE * 100}% duplicates)…`)
  const mixed = await load(deliveries.length, CONCURRENCY, (i) => deliver(i, deliveries))
  console.log('  duplicates only…')
  const duplicatesOnly = await load(bodies.length, CONCURRENCY, (i) => deliver(i, bodies))

  const sql = postgres(DB_URL, { max: CONCURRENCY, onnotice: () => {}, fetch_types: false })
  const [paid] = await sql<{ n: number }[]>`select count(*)::int as n from payments where status = 'paid'`
  const [processed] = await sql<{ n: number }[]>`select count(*)::int as n from webhook_events where status = 'processed'`
  const [jobs] = await sql<{ n: number }[]>`select count(*)::int as n from outbox`
  console.log('  baseline: the webhook_events claim from Node…')
  const baseline: RunStats = await load(bodies.length, CONCURRENCY, async (i) => {
    const rows = await sql`insert into webhook_events (provider, event_key, event_type, payload, status, received_at)
      values ('paystack', ${`charge.success:${references[i % references.length]}`}, 'charge.success', '{}'::jsonb, 'processing', now())
      on conflict do nothing returning id`
    return rows.length === 0 ? 'duplicate' : 'inserted'
  })
  await sql.end()

  const fmt = (s: RunStats) =>
    `${s.perSecond} | ${s.p50Ms} | ${s.p99Ms} | ${Object.entries(s.byOutcome)
      .map(([k, v]) => `${k}×${v}`)
      .join(' ')}`
  const md = [
    '# bench:webhooks',
    '',
    `Signed Paystack \`charge.success\` webhooks delivered to \`POST /webhooks/paystack\` on the local stack (wrangler dev, the machine's Postgres, Redis behind the Upstash dev server, the Paystack sandbox answering the verify call each new event makes). ${bodies.length} distinct events, ${CONCURRENCY} in flight. Locally Hyperdrive does not pool: each request opens its own Postgres connection.`,
    '',
    "**Toolchain, not service:** the webhooks/s and latency columns are dominated by the local toolchain (wrangler dev's proxy, and unpooled local Hyperdrive: one new Postgres connection per request), so they are not the service's cost; the counts after the runs and the baseline row are, and `npm run bench:edge` measures webhooks on the pooled Deno entry.",
    '',
    '| run | webhooks/s | p50 ms | p99 ms | outcomes |',
    '|---|---|---|---|---|',
    `| mixed: each event once + ${DUPLICATE_SHARE * 100}% duplicates | ${fmt(mixed)} |`,
    `| duplicates only (signature + idempotency claim) | ${fmt(duplicatesOnly)} |`,
    `| baseline: the claim's INSERT … ON CONFLICT from Node | ${fmt(baseline)} |`,
    '',
    `After the runs: ${paid?.n} payments paid, ${processed?.n} events processed, ${jobs?.n} outbox jobs (3 per payment expected: ${3 * bodies.length}). Applied twice: ${Math.max(0, (processed?.n ?? 0) - bodies.length)} (must be 0).`,
    '',
    `The idempotency check costs ${round(duplicatesOnly.p50Ms)} ms at p50 through the service against ${round(baseline.p50Ms)} ms for its SQL alone; a new event (verify call, one transaction, outbox publish) is what the mixed run's p50 of ${round(mixed.p50Ms)} ms mostly is.`,
    '',
    `Machine: ${JSON.stringify(machine())}`,
    '',
  ].join('\n')
  const files = writeResults(
    'webhooks',
    {
      machine: machine(),
      payments: bodies.length,
      concurrency: CONCURRENCY,
      mixed,
      duplicatesOnly,
      baseline,
      paid: paid?.n,
      processed: processed?.n,
      outbox: jobs?.n,
    },
    md,
  )
  console.log(md)
  console.log(`written: ${files.json}, ${files.md}`)
  if ((processed?.n ?? 0) !== bodies.length || (paid?.n ?? 0) !== bodies.length) process.exitCode = 1
} finally {
  await stack.close()
  rmSync(persistTo, { recursive: true, force: true })
}
