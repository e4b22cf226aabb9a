/**
 * What happens when a payment ends — from the payment page or a control call: the order's final
 * state, the signed callback on success (docs/protocols/zalopay.md), and the browser redirect back
 * to the merchant with its key2 checksum (docs/protocols/zalopay.md).
 */
import { createHash } from 'node:crypto'
import type { Delivery } from './callbacks.ts'
import { SUB, type Sub } from './codes.ts'
import type { SandboxContext } from './context.ts'
import { hmacHex, macInput } from './mac.ts'
import { effectiveStatus, type Order } from './store.ts'

export type Outcome = 'success' | 'failed' | 'cancelled' | 'processing'
export const OUTCOMES: readonly Outcome[] = ['success', 'failed', 'cancelled', 'processing']

/** Payment channel reported in callbacks and redirects: 38 = ZaloPay wallet, as in the doc sample. */
const CHANNEL_ZALOPAY_WALLET = 38

export class SettleError extends Error {}

/**
 * Ends (or, for `processing`, advances) a payment. On success it resolves after the callback's
 * first attempt, returning that delivery; re-sends continue in the background.
 */
export async function settleOrder(
  ctx: SandboxContext,
  order: Order,
  outcome: Outcome,
  opts: { amount?: number; failure?: Sub } = {},
): Promise<Delivery | undefined> {
  const state = effectiveStatus(order, ctx.now())
  if (state !== 'pending' && state !== 'processing') throw new SettleError(`order ${order.appTransId} is ${state}`)
  ctx.log(`settle ${order.appTransId}: ${outcome}`)
  if (outcome === 'processing') {
    order.status = 'processing'
    return undefined
  }
  if (outcome !== 'success') {
    order.status = outcome === 'cancelled' ? 'cancelled' : 'failed'
    order.failure = outcome === 'cancelled' ? SUB.USER_CANCELLED : (opts.failure ?? SUB.PAYMENT_FAILED)
    return undefined
  }
  order.status = 'paid'
  order.zpTransId = ctx.store.nextZpTransId(ctx.now())
  order.serverTime = ctx.now()
  order.paidAmount = opts.amount ?? order.amount
  order.callbackBody = ctx.callbacks.envelope(callbackData(ctx, order))
  return ctx.callbacks.notifyPayment(order.appTransId, order.callbackUrl ?? ctx.callbackUrl, order.callbackBody)
}

/** The callback `data` string, fields in the documented order. */
function callbackData(ctx: SandboxContext, o: Order): string {
  return JSON.stringify({
    app_id: o.appId,
    app_trans_id: o.appTransId,
    app_time: o.appTime,
    app_user: o.appUser,
    amount: o.paidAmount,
    embed_data: o.embedData,
    item: o.item,
    zp_trans_id: o.zpTransId,
    server_time: o.serverTime,
    channel: CHANNEL_ZALOPAY_WALLET,
    merchant_user_id: merchantUserId(ctx.appId, o.appUser),
    user_fee_amount: 0,
    discount_amount: 0,
  })
}

/** Stable per app and user, opaque like the doc sample's "7ZMSl3nEg5...". */
function merchantUserId(appId: number, appUser: string): string {
  return createHash('sha256').update(`${appId}:${appUser}`).digest('base64url').slice(0, 43)
}

/**
 * Where the browser goes after the payment page, or undefined when the order named no valid
 * http(s) redirect URL. status is 1 on success, otherwise the query's sub_return_code
 * [INFERENCE: ZaloPay's sample app only says status 1 means success].
 */
export function redirectLocation(ctx: SandboxContext, o: Order): string | undefined {
  if (!o.redirectUrl) return undefined
  let url: URL
  try {
    url = new URL(o.redirectUrl)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  const state = effectiveStatus(o, ctx.now())
  const status = state === 'paid' ? 1 : state === 'expired' ? SUB.EXPIRED.code : (o.failure?.code ?? SUB.PROCESSING.code)
  const params: Record<string, string> = {
    appid: String(o.appId),
    apptransid: o.appTransId,
    pmcid: String(CHANNEL_ZALOPAY_WALLET),
    bankcode: o.bankCode,
    amount: String(o.paidAmount ?? o.amount),
    discountamount: '0',
    status: String(status),
  }
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  url.searchParams.set('checksum', hmacHex(ctx.key2, macInput.redirect(params)))
  return url.toString()
}
