/**
 * A local ZaloPay Open API v2 sandbox (docs/protocols/zalopay.md): create/query/refund/query_refund
 * with key1 MACs, a clickable payment page, key2-signed callbacks with re-sends, a signed browser
 * redirect, injectable faults, and a control API for tests. See README.md for fidelity notes.
 */
import { FaultPlan, serveApp, type RunningServer } from '../shared/http-kit.ts'
import { BASE_RETRY_INTERVAL_MS, Callbacks } from './callbacks.ts'
import { SUB } from './codes.ts'
import type { SandboxContext } from './context.ts'
import { router } from './routes.ts'
import { Store } from './store.ts'

/**
 * ZaloPay's public sandbox demo keys (shipped in its sample app) are deliberately not copied here,
 * so these are plain dev strings. Pass the real sandbox keys (and appId) to check an adapter against both.
 */
export const DEFAULT_APP_ID = 2553
export const DEFAULT_KEY1 = 'zalopay-sandbox-dev-key1'
export const DEFAULT_KEY2 = 'zalopay-sandbox-dev-key2'

export interface ZaloPaySandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number
  appId?: number
  /** MAC key for merchant → ZaloPay requests. */
  key1?: string
  /** Key for callbacks and redirect checksums. */
  key2?: string
  /** The app's registered callback URL; an order's own callback_url takes precedence. */
  callbackUrl?: string
  /** Base of order_url, for when browsers reach the sandbox through another host. */
  publicUrl?: string
  /** Multiplies the callback re-send interval (5 s); tests use e.g. 0.001. */
  callbackRetryScale?: number
  /** How long a refund stays processing before success; Infinity waits for a control call. */
  refundDelayMs?: number
  now?: () => number
  log?: (line: string) => void
}

export interface ZaloPaySandbox extends RunningServer {
  readonly appId: number
  readonly key1: string
  readonly key2: string
  /** Resolves once no callback is in flight or waiting to be re-sent. */
  drain(): Promise<void>
}

export async function startZaloPaySandbox(opts: ZaloPaySandboxOptions = {}): Promise<ZaloPaySandbox> {
  const now = opts.now ?? Date.now
  const log = opts.log ?? (() => {})
  const faults = new FaultPlan((status) =>
    status === 429
      ? { return_code: 2, return_message: 'Giao dịch thất bại', sub_return_code: SUB.LIMIT.code, sub_return_message: SUB.LIMIT.message }
      : {
          return_code: 2,
          return_message: 'Giao dịch thất bại',
          sub_return_code: SUB.SYSTEM_ERROR.code,
          sub_return_message: SUB.SYSTEM_ERROR.message,
        },
  )
  const key2 = opts.key2 ?? DEFAULT_KEY2
  const ctx: SandboxContext = {
    appId: opts.appId ?? DEFAULT_APP_ID,
    key1: opts.key1 ?? DEFAULT_KEY1,
    key2,
    callbackUrl: opts.callbackUrl,
    publicUrl: opts.publicUrl?.replace(/\/+$/, '') ?? '',
    refundDelayMs: opts.refundDelayMs ?? 200,
    now,
    log,
    store: new Store(),
    callbacks: new Callbacks({ key2, retryIntervalMs: BASE_RETRY_INTERVAL_MS * (opts.callbackRetryScale ?? 1), faults, now, log }),
    faults,
  }
  const server = await serveApp(opts.port ?? 0, router(ctx))
  ctx.publicUrl ||= server.url
  return {
    ...server,
    appId: ctx.appId,
    key1: ctx.key1,
    key2: ctx.key2,
    drain: () => ctx.callbacks.drain(),
    close: async () => {
      ctx.callbacks.reset()
      await server.close()
    },
  }
}
