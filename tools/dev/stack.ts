/**
 * The whole local stack in one call, used by `npm run dev` and by the e2e tests: Postgres (the
 * given DATABASE_URL, else an embedded PGlite), the Upstash REST and QStash dev servers in front
 * of the real Redis, the Worker under `wrangler dev` (Hyperdrive pointed at that database), and
 * the QStash schedules synced to it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { SignJWT } from 'jose'
import { ensureDatabase, runMigrations } from '../db/migrate.ts'
import { printSeed, seed } from '../db/seed.ts'
import { startPaystackSandbox } from '../paystack-sandbox/server.ts'
import { startPayPaySandbox } from '../paypay-sandbox/server.ts'
import { startZaloPaySandbox } from '../zalopay-sandbox/server.ts'
import { startQStashDev } from '../qstash-dev/server.ts'
import { syncSchedules } from '../schedules/sync.ts'
import { startUpstashRedisDev } from '../upstash-redis-dev/server.ts'
import { startEmbeddedPostgres } from './embedded-postgres.ts'

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
  pglitePort?: number
  paystackPort?: number
  zalopayPort?: number
  paypayPort?: number
  /** Use this Postgres (created and migrated if needed); otherwise PGlite is embedded. */
  databaseUrl?: string
  /** PGlite data directory; in-memory when absent. */
  dataDir?: string
  redisUrl?: string
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
  adminToken: string
  close(): Promise<void>
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

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
    for (const c of cleanups.reverse()) await c()
  }
  try {
    let databaseUrl = opts.databaseUrl
    if (databaseUrl) {
      await ensureDatabase(databaseUrl)
    } else {
      const pg = await startEmbeddedPostgres({ port: opts.pglitePort ?? (await freePort()), ...(opts.dataDir && { dataDir: opts.dataDir }) })
      cleanups.push(pg.close)
      databaseUrl = pg.url
      log(`embedded Postgres (PGlite) on ${pg.url}`)
    }
    await runMigrations(databaseUrl)
    if (opts.seed ?? true) printSeed(await seed(databaseUrl))

    const upstash = await startUpstashRedisDev({
      port: opts.upstashPort ?? 0,
      token: DEV_SECRETS.upstashToken,
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
      PUBLIC_BASE_URL: workerUrl,
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: DEV_SECRETS.upstashToken,
      QSTASH_URL: qstash.url,
      QSTASH_TOKEN: DEV_SECRETS.qstashToken,
      QSTASH_CURRENT_SIGNING_KEY: DEV_SECRETS.qstashCurrentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: DEV_SECRETS.qstashNextSigningKey,
      AUTH_ISSUER: DEV_SECRETS.issuer,
      AUTH_AUDIENCE: DEV_SECRETS.audience,
      AUTH_HS256_SECRET: DEV_SECRETS.hs256Secret,
      PAYSTACK_SECRET_KEY: DEV_SECRETS.paystackSecretKey,
      PAYSTACK_API_URL: paystack.url,
      DEV_MAILBOX: 'true',
      ZALOPAY_APP_ID: String(zalopay.appId),
      ZALOPAY_KEY1: zalopay.key1,
      ZALOPAY_KEY2: zalopay.key2,
      ZALOPAY_API_URL: zalopay.url,
      PAYPAY_API_URL: paypay.url,
      PAYPAY_API_KEY: paypay.apiKey,
      PAYPAY_API_SECRET: paypay.apiSecret,
      PAYPAY_MERCHANT_ID: paypay.merchantId,
      ...opts.vars,
    }
    const wrangler = spawnWrangler(workerPort, vars, databaseUrl, log, opts.persistTo)
    cleanups.push(() => stopProcess(wrangler))
    await waitForHealth(workerUrl, wrangler)

    const synced = await syncSchedules({ qstashUrl: qstash.url, token: DEV_SECRETS.qstashToken, publicBaseUrl: workerUrl })
    log(`schedules synced: ${synced.upserted.join(', ')}`)

    return {
      urls: { worker: workerUrl, upstash: upstash.url, qstash: qstash.url, database: databaseUrl, paystack: paystack.url, zalopay: zalopay.url, paypay: paypay.url },
      databaseEmbedded: !opts.databaseUrl,
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

function spawnWrangler(port: number, vars: Record<string, string>, databaseUrl: string, log: (l: string) => void, persistTo?: string): ChildProcess {
  const args = [
    fileURLToPath(new URL('../../node_modules/wrangler/bin/wrangler.js', import.meta.url)),
    'dev',
    '--port',
    String(port),
    '--ip',
    '127.0.0.1',
    '--inspector-port',
    '0',
    '--show-interactive-dev-session=false',
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
    ...(persistTo ? ['--persist-to', persistTo] : []),
  ]
  // Node 22 runs wrangler even when the orchestrator was started by another Node (npm scripts put
  // the pinned node first on PATH, and process.execPath is that one).
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: databaseUrl,
      WRANGLER_SEND_METRICS: 'false',
      CI: process.env['CI'] ?? 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log(`[wrangler] ${line}`)
  }
  child.stdout!.on('data', forward)
  child.stderr!.on('data', forward)
  return child
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`)
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) })
      if (res.status === 200) return
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`worker at ${url} not healthy after ${timeoutMs} ms`)
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}
