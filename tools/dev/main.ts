/**
 * `npm run dev`: everything the Worker needs, started and wired, then the URLs to use. Set
 * DATABASE_URL to use a real Postgres; otherwise an embedded PGlite keeps its data in .dev/pglite.
 */
import postgres from 'postgres'
import { startDevStack } from './stack.ts'

const env = process.env
const LOCAL_PG = 'postgres://postgres:postgres@127.0.0.1:5432/edge_payments'

/**
 * A Postgres on the default port is preferred to the embedded one: PGlite is a single session, and
 * pglite-socket interleaves concurrent connections' extended-protocol messages, which breaks under
 * the Worker's parallel requests, Durable Objects and every-minute jobs.
 */
async function localPostgresAnswers(): Promise<boolean> {
  const sql = postgres(LOCAL_PG.replace(/\/edge_payments$/, '/postgres'), { max: 1, connect_timeout: 2, onnotice: () => {} })
  try {
    await sql`select 1`
    return true
  } catch {
    return false
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {})
  }
}

const databaseUrl = env['DATABASE_URL'] ?? ((await localPostgresAnswers()) ? LOCAL_PG : undefined)
if (!databaseUrl) console.log('No Postgres on 127.0.0.1:5432: embedding PGlite (one session; fine for clicking around, not for load).')
const stack = await startDevStack({
  workerPort: Number(env['PORT'] ?? 8787),
  upstashPort: Number(env['UPSTASH_DEV_PORT'] ?? 8079),
  qstashPort: Number(env['QSTASH_DEV_PORT'] ?? 8080),
  pglitePort: Number(env['PGLITE_PORT'] ?? 5433),
  paystackPort: Number(env['PAYSTACK_SANDBOX_PORT'] ?? 8093),
  zalopayPort: Number(env['ZALOPAY_SANDBOX_PORT'] ?? 8092),
  paypayPort: Number(env['PAYPAY_SANDBOX_PORT'] ?? 8094),
  ...(databaseUrl ? { databaseUrl } : { dataDir: '.dev/pglite' }),
})

const w = stack.urls.worker
console.log(`
Edge payments backend is running.
  API            ${w}
  Health         ${w}/health
  Docs           ${w}/docs   (OpenAPI: ${w}/openapi.json)
  Upstash REST   ${stack.urls.upstash}
  QStash         ${stack.urls.qstash}
  Paystack       ${stack.urls.paystack}   (sandbox: checkout pages, signed webhooks)
  ZaloPay        ${stack.urls.zalopay}   (sandbox: payment page, key2-signed callbacks)
  PayPay         ${stack.urls.paypay}   (sandbox: consent page, OPA-Auth, cashback notifications)
  Dev mailbox    ${w}/dev/mailbox
  Postgres       ${stack.urls.database}${stack.databaseEmbedded ? '  (embedded PGlite)' : ''}

Admin token (12 h):
  ${stack.adminToken}

Try a redemption (seeded demo data):
  curl -s ${w}/api/gifts/use -H 'content-type: application/json' \\
    -d '{"gift_id":"DEMO-GIFT-0001","supplier_invoice_no":"INV-TOKYO-001","pin":"1234"}'
`)

const stop = async () => {
  await stack.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
