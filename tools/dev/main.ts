/**
 * `npm run dev`: everything the Worker needs, started and wired, then the URLs to use. Set
 * DATABASE_URL to use a real Postgres; otherwise an embedded PGlite keeps its data in .dev/pglite.
 */
import { startDevStack } from './stack.ts'

const env = process.env
const stack = await startDevStack({
  workerPort: Number(env['PORT'] ?? 8787),
  upstashPort: Number(env['UPSTASH_DEV_PORT'] ?? 8079),
  qstashPort: Number(env['QSTASH_DEV_PORT'] ?? 8080),
  pglitePort: Number(env['PGLITE_PORT'] ?? 5433),
  ...(env['DATABASE_URL'] ? { databaseUrl: env['DATABASE_URL'] } : { dataDir: '.dev/pglite' }),
})

const w = stack.urls.worker
console.log(`
Edge payments backend is running.
  API            ${w}
  Health         ${w}/health
  Docs           ${w}/docs   (OpenAPI: ${w}/openapi.json)
  Upstash REST   ${stack.urls.upstash}
  QStash         ${stack.urls.qstash}
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
