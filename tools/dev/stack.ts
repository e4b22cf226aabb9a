/**
 * The whole local stack in one call, used by `npm run dev` and by the e2e tests: Postgres (the
 * given DATABASE_URL, else an embedded PostgreSQL), the Upstash REST dev server (in front of the
 * real Redis, or on the embedded engine when asked) and the QStash dev server, the gateway
 * sandboxes, the Worker under `wrangler dev` (Hyperdrive pointed at that database), and the
 * QStash schedules synced to it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignJWT } from 'jose'
import { ensureDatabase, runMigrations } from '../db/migrate.ts'
import { printSeed, seed } from '../db/seed.ts'
import { devGiftPinPepper } from '../gifts-import/pepper.ts'
import { startPaystackSandbox } from '../paystack-sandbox/server.ts'
import { startPayPaySandbox } from '../paypay-sandbox/server.ts'
import { startZaloPaySandbox } from '../zalopay-sandbox/server.ts'
import { startQStashDev } from '../qstash-dev/server.ts'
import { syncSchedules } from '../schedules/sync.ts'
import { startUpstashRedisDev } from '../upstash-redis-dev/server.ts'
import { startEmbeddedPostgres } from './embedded-postgres.ts'
import { spawnWrangler, stopProcess, waitForHealth } from './processes.ts'

export const DEV_SECRETS = {
  upstashToken: 'dev-token',
  qstashToken: 'dev-qstash-token',
  qstashCurrentSigningKey: 'sig_dev_current',
  qstashNextSigningKey: 'sig_dev_next',
  hs256Secret: 'dev-only-hs256-secret-change-me-0123456789',
  paystackSecretKey: 'sk_test_dev_sandbox_secret',
  issuer: 'edge-payments-dev',
  audience: 'edge-payments',
}

export interface DevStackOptions {
  workerPort?: number
  upstashPort?: number
  qstashPort?: number
  /** The embedded PostgreSQL's port (a free one when absent). */
  postgresPort?: number
  paystackPort?: number
  zalopayPort?: number
  paypayPort?: number
  /** Use this Postgres (created and migrated if needed); otherwise a PostgreSQL is embedded. */
  databaseUrl?: string
  /** The embedded PostgreSQL's data directory, kept; a temporary one, removed at close, when absent. */
  dataDir?: string
  /** The Redis behind the Upstash dev server (default REDIS_URL, else redis://127.0.0.1:6379). */
  redisUrl?: string
  /** Run the Upstash dev server on the in-process engine instead of a Redis. */
  embeddedRedis?: boolean
  seed?: boolean
  /** Extra Worker vars (e.g. INVENTORY_LOCK=postgres for a side-by-side benchmark). */
  vars?: Record<string, string>
  /** wrangler's --persist-to (Durable Objects, R2): a benchmark's own directory keeps old objects out. */
  persistTo?: string
  log?: (line: string) => void
}

export interface DevStack {
  urls: { worker: string; upstash: string; qstash: string; database: string; paystack: string; zalopay: string; paypay: string }
  databaseEmbedded: boolean
  redisEmbedded: boolean
  adminToken: string
  close(): Promise<void>
}

/**
 * The app's settings for the local dev servers and gateway sandboxes, with the dev secrets: what
 * `npm run dev` gives the Worker and bench:edge gives the Deno entry.
 */
export function devAppVars(s: {
  publicBaseUrl: string
  upstashUrl: string
  qstashUrl: string
  paystack: { url: string }
  zalopay: { appId: number; key1: string; key2: string; url: string }
  paypay: { url: string; apiKey: string; apiSecret: string; merchantId: string }
}): Record<string, string> {
  return {
    PUBLIC_BASE_URL: s.publicBaseUrl,
    UPSTASH_REDIS_REST_URL: s.upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: DEV_SECRETS.upstashToken,
    QSTASH_URL: s.qstashUrl,
    QSTASH_TOKEN: DEV_SECRETS.qstashToken,
    QSTASH_CURRENT_SIGNING_KEY: DEV_SECRETS.qstashCurrentSigningKey,
    QSTASH_NEXT_SIGNING_KEY: DEV_SECRETS.qstashNextSigningKey,
    AUTH_ISSUER: DEV_SECRETS.issuer,
    AUTH_AUDIENCE: DEV_SECRETS.audience,
    AUTH_HS256_SECRET: DEV_SECRETS.hs256Secret,
    GIFT_PIN_PEPPER: devGiftPinPepper(),
    PAYSTACK_SECRET_KEY: DEV_SECRETS.paystackSecretKey,
    PAYSTACK_API_URL: s.paystack.url,
    ZALOPAY_APP_ID: String(s.zalopay.appId),
    ZALOPAY_KEY1: s.zalopay.key1,
    ZALOPAY_KEY2: s.zalopay.key2,
    ZALOPAY_API_URL: s.zalopay.url,
    PAYPAY_API_URL: s.paypay.url,
    PAYPAY_API_KEY: s.paypay.apiKey,
    PAYPAY_API_SECRET: s.paypay.apiSecret,
    PAYPAY_MERCHANT_ID: s.paypay.merchantId,
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

export async function startDevStack(opts: DevStackOptions = {}): Promise<DevStack> {
  const log = opts.log ?? ((l: string) => console.log(l))
  const cleanups: Array<() => Promise<void> | void> = []
  const close = async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  }
  try {
    let databaseUrl = opts.databaseUrl
    if (databaseUrl) {
      await ensureDatabase(databaseUrl)
    } else {
      const scratch = opts.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'dev-postgres-'))
      if (scratch) cleanups.push(() => rmSync(scratch, { recursive: true, force: true }))
      const dataDir = opts.dataDir ?? join(scratch!, 'data')
      const pg = await startEmbeddedPostgres({ dataDir, port: opts.postgresPort ?? (await freePort()), log })
      cleanups.push(pg.close)
      await ensureDatabase(pg.url)
      databaseUrl = pg.url
      log(`embedded PostgreSQL on ${pg.url}`)
    }
    await runMigrations(databaseUrl)
    if (opts.seed ?? true) printSeed(await seed(databaseUrl))

    const upstash = await startUpstashRedisDev({
      port: opts.upstashPort ?? 0,
      token: DEV_SECRETS.upstashToken,
      engine: opts.embeddedRedis ? 'embedded' : 'redis',
      redisUrl: opts.redisUrl ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    }).catch((e: Error) => {
      throw new Error(`Redis is not reachable (${e.message}); start redis-server or set REDIS_URL`)
    })
    cleanups.push(upstash.close)
    const qstash = await startQStashDev({
      port: opts.qstashPort ?? 0,
      token: DEV_SECRETS.qstashToken,
      currentSigningKey: DEV_SECRETS.qstashCurrentSigningKey,
      nextSigningKey: DEV_SECRETS.qstashNextSigningKey,
      log: (l) => log(`[qstash] ${l}`),
    })
    cleanups.push(qstash.close)

    const workerPort = opts.workerPort ?? (await freePort())
    const workerUrl = `http://127.0.0.1:${workerPort}`
    // Paystack's stand-in: its checkout page can be clicked through, and it signs webhooks to the Worker.
    const paystack = await startPaystackSandbox({
      port: opts.paystackPort ?? 0,
      secretKey: DEV_SECRETS.paystackSecretKey,
      webhookUrl: `${workerUrl}/webhooks/paystack`,
      log: (l) => log(`[paystack] ${l}`),
    })
    cleanups.push(paystack.close)
    // ZaloPay's and PayPay's stand-ins, with their default dev keys; callbacks go to the Worker.
    const zalopay = await startZaloPaySandbox({
      port: opts.zalopayPort ?? 0,
      callbackUrl: `${workerUrl}/api/v1/payment/zalopay/callback`,
      log: (l) => log(`[zalopay] ${l}`),
    })
    cleanups.push(zalopay.close)
    const paypay = await startPayPaySandbox({
      port: opts.paypayPort ?? 0,
      notificationUrl: `${workerUrl}/api/v1/paypay/cashback/callback`,
      log: (l) => log(`[paypay] ${l}`),
    })
    cleanups.push(paypay.close)
    const vars: Record<string, string> = {
      ...devAppVars({ publicBaseUrl: workerUrl, upstashUrl: upstash.url, qstashUrl: qstash.url, paystack, zalopay, paypay }),
      DEV_MAILBOX: 'true',
      ...opts.vars,
    }
    const wrangler = spawnWrangler(workerPort, vars, databaseUrl, log, opts.persistTo)
    cleanups.push(() => stopProcess(wrangler))
    await waitForHealth(workerUrl, wrangler)

    const synced = await syncSchedules({ qstashUrl: qstash.url, token: DEV_SECRETS.qstashToken, publicBaseUrl: workerUrl })
    log(`schedules synced: ${synced.upserted.join(', ')}`)

    return {
      urls: {
        worker: workerUrl,
        upstash: upstash.url,
        qstash: qstash.url,
        database: databaseUrl,
        paystack: paystack.url,
        zalopay: zalopay.url,
        paypay: paypay.url,
      },
      databaseEmbedded: !opts.databaseUrl,
      redisEmbedded: upstash.engine === 'embedded',
      adminToken: await devToken('dev-admin', ['admin']),
      close,
    }
  } catch (e) {
    await close()
    throw e
  }
}

export function devToken(sub: string, roles: string[]): Promise<string> {
  return new SignJWT({ roles })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(DEV_SECRETS.issuer)
    .setAudience(DEV_SECRETS.audience)
    .setIssuedAt()
    .setExpirationTime('12h')
    .sign(new TextEncoder().encode(DEV_SECRETS.hs256Secret))
}
