/**
 * A local Paystack sandbox (docs/protocols/paystack.md): transaction initialize / verify and
 * refunds with Bearer secret-key auth, a clickable checkout page, HMAC-SHA512-signed webhooks with
 * retries, injectable faults, and a control API for tests. See README.md for fidelity notes.
 */
import { randomInt } from 'node:crypto'
import { FaultPlan, serveApp, sleep, type RunningServer } from '../shared/http-kit.ts'
import type { SandboxContext } from './context.ts'
import { router } from './routes.ts'
import { Store } from './store.ts'
import { Timers } from './timers.ts'
import { Webhooks } from './webhooks.ts'

export { signPaystackBody } from './signature.ts'

/** Plain dev strings in Paystack's test-key format; pass real test keys to compare against both. */
export const DEFAULT_SECRET_KEY = 'sk_test_sandbox_dev_secret'
export const DEFAULT_PUBLIC_KEY = 'pk_test_sandbox_dev_public'

export interface PaystackSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number
  /** The only key the API accepts (Bearer); also signs webhooks. */
  secretKey?: string
  /** Reported for checkout widgets; refused by the API like any wrong key. */
  publicKey?: string
  /** Where signed events go (Paystack's dashboard webhook URL). */
  webhookUrl?: string
  /** Base of authorization_url, for when browsers reach the sandbox through another host. */
  publicUrl?: string
  /** Multiplies the webhook retry schedule (3 min … 1 h); tests use e.g. 0.001. */
  webhookRetryScale?: number
  /** How long a refund stays pending + processing before processed; Infinity waits for a control call. */
  refundDelayMs?: number
  now?: () => number
  log?: (line: string) => void
}

export interface PaystackSandbox extends RunningServer {
  readonly secretKey: string
  readonly publicKey: string
  /**
   * Resolves once no webhook is in flight, waiting for a retry or waiting out a delay, and no
   * refund step is scheduled. Events held back by suppression do not count.
   */
  drain(): Promise<void>
}

export async function startPaystackSandbox(opts: PaystackSandboxOptions = {}): Promise<PaystackSandbox> {
  const now = opts.now ?? Date.now
  const log = opts.log ?? (() => {})
  const secretKey = opts.secretKey ?? DEFAULT_SECRET_KEY
  // Paystack's envelope; the 429 text is Paystack's published rate-limit message.
  const faults = new FaultPlan((status) =>
    status === 429
      ? { status: false, message: 'Please wait a few minutes and try again.', type: 'api_error', code: 'rate_limited' }
      : { status: false, message: 'An error occurred while processing the request', type: 'api_error', code: 'unknown' },
  )
  const ctx: SandboxContext = {
    secretKey,
    publicKey: opts.publicKey ?? DEFAULT_PUBLIC_KEY,
    domain: secretKey.startsWith('sk_live_') ? 'live' : 'test',
    integration: randomInt(100_000, 1_000_000),
    publicUrl: opts.publicUrl?.replace(/\/+$/, '') ?? '',
    refundDelayMs: opts.refundDelayMs ?? 200,
    now,
    log,
    store: new Store(),
    webhooks: new Webhooks({ secretKey, url: opts.webhookUrl, retryScale: opts.webhookRetryScale ?? 1, faults, now, log }),
    refundTimers: new Timers(),
    faults,
  }
  const server = await serveApp(opts.port ?? 0, router(ctx))
  ctx.publicUrl ||= server.url
  return {
    ...server,
    secretKey: ctx.secretKey,
    publicKey: ctx.publicKey,
    drain: async () => {
      while (ctx.webhooks.busy || ctx.refundTimers.size > 0) await sleep(5)
    },
    close: async () => {
      ctx.refundTimers.clear()
      ctx.webhooks.reset()
      await server.close()
    },
  }
}
