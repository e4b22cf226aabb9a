import type { MerchantCashbackId } from '../domain/cashback.ts'
import { applyCashbackStatus, type ApplyOutcome } from './cashback-status.ts'
import type { LoyaltyDeps } from './loyalty-deps.ts'

export type NotificationOutcome =
  | { readonly kind: 'ignored'; readonly reason: 'unreadable' | 'no_id' | 'unknown_cashback' | 'final' | 'not_visible' }
  | ApplyOutcome
  | { readonly kind: 'retry'; readonly code: string }

const ID = /^[A-Za-z0-9_-]{1,64}$/

/**
 * `POST /api/v1/paypay/cashback/callback`. PayPay's notification carries no verifiable signature
 * (gateways.md §1.8), so its body is only a hint of which cashback to look at: the status applied
 * is the one Check Cashback Details returns. A forged body, a garbage body or a duplicate
 * therefore changes nothing that PayPay's own API does not confirm.
 */
export async function handleCashbackNotification(
  deps: Pick<LoyaltyDeps, 'cashbacks' | 'paypay' | 'clock' | 'logger'>,
  rawBody: string,
  ctx: { requestId: string },
): Promise<NotificationOutcome> {
  let body: unknown
  try {
    body = JSON.parse(rawBody)
  } catch {
    return { kind: 'ignored', reason: 'unreadable' }
  }
  const id = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['merchantCashbackId'] : undefined
  if (typeof id !== 'string' || !ID.test(id)) return { kind: 'ignored', reason: 'no_id' }
  const cashback = await deps.cashbacks.find(id as MerchantCashbackId)
  if (!cashback) return { kind: 'ignored', reason: 'unknown_cashback' }
  if (cashback.status === 'succeeded' || cashback.status === 'failed') return { kind: 'ignored', reason: 'final' }
  if (!deps.paypay) return { kind: 'retry', code: 'PAYPAY_NOT_CONFIGURED' }

  const details = await deps.paypay.checkCashback(cashback.merchantCashbackId)
  if (!details.ok) {
    if (details.kind === 'transient') return { kind: 'retry', code: details.code }
    return { kind: 'ignored', reason: 'not_visible' }
  }
  return applyCashbackStatus(deps, cashback, {
    status: details.data.status,
    failureCode: details.data.failureCode,
    paypayCashbackId: details.data.cashbackId,
    source: 'callback',
    requestId: ctx.requestId,
  })
}
