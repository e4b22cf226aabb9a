/**
 * A local PayPay Open Payment API sandbox for cashback (docs/protocols/paypay-opa.md): OPA-Auth
 * HMAC verification, the account-link QR session with a clickable consent page and a signed
 * responseToken, user-authorization status / unlink, Give / Check / Reverse / Check-reversal
 * cashback with idempotent ids and async settlement, result notifications with re-sends, a rate
 * limit, injectable faults, and a control API for tests. See README.md for fidelity notes.
 */
import { FaultPlan, serveApp, sleep, type RunningServer } from '../shared/http-kit.ts'
import { CODES, envelope } from './codes.ts'
import type { DuplicateMode, SandboxContext } from './context.ts'
import { BASE_RETRY_INTERVAL_MS, Notifications } from './notifications.ts'
import { NonceCache } from './opa-auth.ts'
import { RateLimiter } from './rate-limit.ts'
import { RequestLog } from './request-log.ts'
import { router } from './routes.ts'
import { Store } from './store.ts'

/**
 * Plain dev credentials. The secret is valid base64 because PayPay's responseToken JWT is keyed
 * by the base64-decoded secret, while OPA-Auth HMACs use the secret string itself.
 */
export const DEFAULT_API_KEY = 'paypay-sandbox-api-key'
export const DEFAULT_API_SECRET = Buffer.from('paypay-sandbox-dev-secret-not-for-production').toString('base64')
export const DEFAULT_MERCHANT_ID = 'sandbox-merchant'

export interface PayPaySandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number
  apiKey?: string
  /** Must be base64 (see DEFAULT_API_SECRET). */
  apiSecret?: string
  merchantId?: string
  /** Refuse calls without X-ASSUME-MERCHANT / ?assumeMerchant (default true; a wrong value is always refused). */
  requireAssumeMerchant?: boolean
  /** Where cashback result notifications are POSTed; unset = none are sent. */
  notificationUrl?: string
  /** Base of linkQRCodeURL, for when browsers reach the sandbox through another host. */
  publicUrl?: string
  /** How long a cashback or reversal stays ACCEPTED before SUCCESS (default 200); Infinity waits for a control call. */
  settleDelayMs?: number
  /** How long Check Cashback Details answers TRANSACTION_NOT_FOUND after an accepted Give (default 0). */
  visibilityDelayMs?: number
  /** A re-sent Give/Reverse with a used id: 'replay' (default) answers the same for the same body; 'reject' always answers VALIDATION_FAILED_EXCEPTION. */
  duplicates?: DuplicateMode
  /** Multiplies the notification re-send interval (500 ms); tests use e.g. 0.01. */
  notificationRetryScale?: number
  /** API calls allowed per second, all endpoints together; 0 (default) = no limit. */
  rateLimitPerSecond?: number
  now?: () => number
  log?: (line: string) => void
}

export interface PayPaySandbox extends RunningServer {
  readonly apiKey: string
  readonly apiSecret: string
  readonly merchantId: string
  /** Resolves once no settlement timer is pending and no notification is in flight or waiting to be re-sent. */
  drain(): Promise<void>
}

export async function startPayPaySandbox(opts: PayPaySandboxOptions = {}): Promise<PayPaySandbox> {
  const apiSecret = opts.apiSecret ?? DEFAULT_API_SECRET
  if (!isBase64(apiSecret)) throw new Error('apiSecret must be base64: PayPay keys the responseToken JWT with the decoded secret')
  const now = opts.now ?? Date.now
  const log = opts.log ?? (() => {})
  const faults = new FaultPlan((status) => ({
    resultInfo: envelope(status === 429 ? CODES.RATE_LIMIT : CODES.INTERNAL_SERVER_ERROR, 'injected'),
    data: null,
  }))
  const rateLimitPerSecond = opts.rateLimitPerSecond ?? 0
  const ctx: SandboxContext = {
    creds: {
      apiKey: opts.apiKey ?? DEFAULT_API_KEY,
      apiSecret,
      merchantId: opts.merchantId ?? DEFAULT_MERCHANT_ID,
      requireAssumeMerchant: opts.requireAssumeMerchant ?? true,
    },
    notificationUrl: opts.notificationUrl,
    publicUrl: opts.publicUrl?.replace(/\/+$/, '') ?? '',
    settleDelayMs: opts.settleDelayMs ?? 200,
    visibilityDelayMs: opts.visibilityDelayMs ?? 0,
    duplicates: opts.duplicates ?? 'replay',
    now,
    log,
    store: new Store(),
    nonces: new NonceCache(),
    notifications: new Notifications({ retryIntervalMs: BASE_RETRY_INTERVAL_MS * (opts.notificationRetryScale ?? 1), faults, now, log }),
    faults,
    requests: new RequestLog(),
    rateLimit: new RateLimiter(rateLimitPerSecond),
    rateLimitPerSecond,
    timers: new Set(),
    maintenance: false,
    loseGive: undefined,
  }
  const server = await serveApp(opts.port ?? 0, router(ctx))
  ctx.publicUrl ||= server.url
  return {
    ...server,
    apiKey: ctx.creds.apiKey,
    apiSecret: ctx.creds.apiSecret,
    merchantId: ctx.creds.merchantId,
    drain: async () => {
      while (ctx.timers.size > 0 || !ctx.notifications.idle) await sleep(5)
    },
    close: async () => {
      for (const t of ctx.timers) clearTimeout(t)
      ctx.timers.clear()
      ctx.notifications.reset()
      await server.close()
    },
  }
}

function isBase64(s: string): boolean {
  return s.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s) && s.length % 4 === 0
}
