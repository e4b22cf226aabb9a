/**
 * The stack `npm run bench:edge` measures: a throwaway database on the machine's Postgres, the
 * Upstash REST and QStash dev servers, the Paystack, ZaloPay and PayPay sandboxes, and the pooled
 * Deno entry (src/deno.ts), which reaches Postgres and the Upstash dev server only through latency
 * proxies, so one call sets the added round-trip time and the proxies count what crosses them.
 * Loopback only. `close()` stops everything this started, also after a failed start.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { recreateDatabase, runMigrations } from '../../tools/db/migrate.ts'
import { seed } from '../../tools/db/seed.ts'
import { DEV_SECRETS, devAppVars, devToken, freePort } from '../../tools/dev/stack.ts'
import { startLatencyProxy, type LatencyProxy } from '../../tools/latency-proxy/proxy.ts'
import { startPaystackSandbox } from '../../tools/paystack-sandbox/server.ts'
import { startPayPaySandbox } from '../../tools/paypay-sandbox/server.ts'
import { startQStashDev, type QStashDev } from '../../tools/qstash-dev/server.ts'
import { startUpstashRedisDev } from '../../tools/upstash-redis-dev/server.ts'
import { startZaloPaySandbox } from '../../tools/zalopay-sandbox/server.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface EdgeStack {
  /** The Deno entry's base URL. */
  readonly base: string
  readonly urls: { paystack: string; zalopay: string; paypay: string }
  /** Straight to Postgres (checks after a run; never through the proxy). */
  readonly databaseUrl: string
  /** Through the Postgres latency proxy (what Deno and the SQL baseline use). */
  readonly proxiedDatabaseUrl: string
  readonly postgres: LatencyProxy
  readonly redis: LatencyProxy
  readonly qstash: QStashDev
  readonly adminToken: string
  /** Sets both proxies to `rttMs` of added round-trip time (rttMs / 2 each way). */
  setRtt(rttMs: number): void
  close(): Promise<void>
}

export async function startEdgeStack(databaseUrl: string, log: (line: string) => void): Promise<EdgeStack> {
  const cleanups: Array<() => Promise<void> | void> = []
  const close = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch((e: Error) => log(`cleanup: ${e.message}`))
    cleanups.length = 0
  }
  try {
    await recreateDatabase(databaseUrl)
    await runMigrations(databaseUrl)
    await seed(databaseUrl)
    const pgTarget = new URL(databaseUrl)
    const postgres = await startLatencyProxy({
      protocol: 'postgres',
      target: { host: pgTarget.hostname, port: Number(pgTarget.port || 5432) },
    })
    cleanups.push(postgres.close)
    const proxied = new URL(databaseUrl)
    proxied.hostname = '127.0.0.1'
    proxied.port = String(postgres.port)

    const upstash = await startUpstashRedisDev({
      port: 0,
      token: DEV_SECRETS.upstashToken,
      redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    })
    cleanups.push(upstash.close)
    const redis = await startLatencyProxy({ protocol: 'http', target: { host: '127.0.0.1', port: Number(new URL(upstash.url).port) } })
    cleanups.push(redis.close)
    const qstash = await startQStashDev({
      port: 0,
      token: DEV_SECRETS.qstashToken,
      currentSigningKey: DEV_SECRETS.qstashCurrentSigningKey,
      nextSigningKey: DEV_SECRETS.qstashNextSigningKey,
      schedulerEnabled: false,
      log: () => {},
    })
    cleanups.push(qstash.close)

    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    const paystack = await startPaystackSandbox({
      port: 0,
      secretKey: DEV_SECRETS.paystackSecretKey,
      webhookUrl: `${base}/webhooks/paystack`,
      log: () => {},
    })
    cleanups.push(paystack.close)
    const zalopay = await startZaloPaySandbox({ port: 0, callbackUrl: `${base}/api/v1/payment/zalopay/callback`, log: () => {} })
    cleanups.push(zalopay.close)
    const paypay = await startPayPaySandbox({ port: 0, notificationUrl: `${base}/api/v1/paypay/cashback/callback`, log: () => {} })
    cleanups.push(paypay.close)

    const deno = spawnDeno(port, {
      ...devAppVars({
        publicBaseUrl: base,
        upstashUrl: `http://127.0.0.1:${redis.port}`,
        qstashUrl: qstash.url,
        paystack,
        zalopay,
        paypay,
      }),
      DATABASE_URL: proxied.toString(),
      INVENTORY_LOCK: 'postgres',
      LOG_LEVEL: 'error',
      // The sandbox has no rate limit here; the default 3/s would queue the points-exchange
      // cashback jobs for minutes behind the bench and load every later measurement.
      PAYPAY_RATE_LIMIT_PER_SECOND: '1000',
    })
    cleanups.push(() => stopProcess(deno.child))
    await waitForHealth(base, deno)

    return {
      base,
      urls: { paystack: paystack.url, zalopay: zalopay.url, paypay: paypay.url },
      databaseUrl,
      proxiedDatabaseUrl: proxied.toString(),
      postgres,
      redis,
      qstash,
      adminToken: await devToken('bench-admin', ['admin']),
      setRtt(rttMs) {
        postgres.setDelay(rttMs / 2)
        redis.setDelay(rttMs / 2)
      },
      close,
    }
  } catch (e) {
    await close()
    throw e
  }
}

interface DenoProcess {
  child: ChildProcess
  /** The last lines it printed (for a failure message). */
  tail(): string
}

function spawnDeno(port: number, env: Record<string, string>): DenoProcess {
  const child = spawn(
    fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url)),
    ['run', '--allow-net', '--allow-env', '--allow-read', '--allow-sys', 'src/deno.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', DENO_NO_UPDATE_CHECK: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const lines: string[] = []
  const keep = (c: Buffer) => {
    lines.push(...c.toString().split('\n').filter(Boolean))
    if (lines.length > 40) lines.splice(0, lines.length - 40)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  return { child, tail: () => lines.join('\n') }
}

async function waitForHealth(base: string, deno: DenoProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (deno.child.exitCode !== null) throw new Error(`deno exited ${deno.child.exitCode}:\n${deno.tail()}`)
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) })
      await res.arrayBuffer()
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`deno not healthy after ${timeoutMs} ms:\n${deno.tail()}`)
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}
