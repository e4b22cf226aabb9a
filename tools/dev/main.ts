/**
 * `npm run dev`: everything the Worker needs, started and wired, then the URLs to use. Postgres and
 * Redis are DATABASE_URL and REDIS_URL, else the ones answering on 127.0.0.1:5432 and :6379, else
 * embedded (services.ts): a real PostgreSQL from npm with its data in .dev/postgres, and an
 * in-process Redis engine whose data is lost on exit.
 */
import { join } from 'node:path'
import { chooseDevServices } from './services.ts'
import { startDevStack } from './stack.ts'

const env = process.env
// Where embedded data lives (.dev/postgres); a test gives its own directory, which then also
// holds wrangler's local state so that earlier runs' Durable Objects stay out.
const devDir = env['DEV_DATA_DIR'] ?? '.dev'
const services = await chooseDevServices(env)
for (const note of services.notes) console.log(note)
const stack = await startDevStack({
  workerPort: Number(env['PORT'] ?? 8787),
  upstashPort: Number(env['UPSTASH_DEV_PORT'] ?? 8079),
  qstashPort: Number(env['QSTASH_DEV_PORT'] ?? 8080),
  postgresPort: Number(env['EMBEDDED_POSTGRES_PORT'] ?? 5433),
  paystackPort: Number(env['PAYSTACK_SANDBOX_PORT'] ?? 8093),
  zalopayPort: Number(env['ZALOPAY_SANDBOX_PORT'] ?? 8092),
  paypayPort: Number(env['PAYPAY_SANDBOX_PORT'] ?? 8094),
  ...(services.databaseUrl ? { databaseUrl: services.databaseUrl } : { dataDir: join(devDir, 'postgres') }),
  ...(env['DEV_DATA_DIR'] && { persistTo: join(devDir, 'wrangler') }),
  ...(services.redisUrl ? { redisUrl: services.redisUrl } : { embeddedRedis: true }),
})

const w = stack.urls.worker
const embeddedRedisWarning = `
  !!! Redis is EMBEDDED: an in-process emulation (ioredis-mock) behind the Upstash REST server.
  !!! Its data is lost when npm run dev stops; it is single-threaded and has no persistence,
  !!! eviction, pub/sub or blocking commands. Start redis-server (or set REDIS_URL) for real Redis.
`
console.log(`
Edge payments backend is running.
  API            ${w}
  Health         ${w}/health
  Docs           ${w}/docs   (OpenAPI: ${w}/openapi.json)
  Upstash REST   ${stack.urls.upstash}${stack.redisEmbedded ? '   (EMBEDDED Redis engine, see below)' : ''}
  QStash         ${stack.urls.qstash}
  Paystack       ${stack.urls.paystack}   (sandbox: checkout pages, signed webhooks)
  ZaloPay        ${stack.urls.zalopay}   (sandbox: payment page, key2-signed callbacks)
  PayPay         ${stack.urls.paypay}   (sandbox: consent page, OPA-Auth, cashback notifications)
  Dev mailbox    ${w}/dev/mailbox
  Postgres       ${stack.urls.database}${stack.databaseEmbedded ? `  (embedded PostgreSQL, data in ${join(devDir, 'postgres')})` : ''}
${stack.redisEmbedded ? embeddedRedisWarning : ''}
Admin token (12 h):
  ${stack.adminToken}

Try a redemption (seeded demo data):
  curl -s ${w}/api/gifts/use -H 'content-type: application/json' \\
    -d '{"gift_id":"DEMO-GIFT-0001","supplier_invoice_no":"INV-TOKYO-001","pin":"1234"}'
`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await stack.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
