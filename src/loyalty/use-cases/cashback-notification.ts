import type { Defer } from '../../shared/defer.ts'
import { findNotificationIds } from '../domain/notification.ts'
import type { PayPayResult } from '../ports.ts'
import { applyCashbackStatus, type ApplyOutcome } from './cashback-status.ts'
import { checkCashbacks } from './check-cashbacks.ts'
import type { CheckOptions } from './check-due.ts'
import { checkReversals } from './check-reversals.ts'
import type { LoyaltyDeps } from '../deps.ts'
import { applyReversalStatus, type ReversalApplyOutcome } from './reversal-status.ts'

/** The request body as the route could decode it: a JSON value or a form, or nothing usable. */
export type NotificationBody = { readonly readable: true; readonly value: unknown } | { readonly readable: false }

export type NotificationOutcome =
  | { readonly kind: 'ignored'; readonly reason: 'unreadable' | 'unknown_id' | 'final' | 'not_visible' }
  /** No id in a readable body: a bounded check of the due records runs after the answer. */
  | { readonly kind: 'swept' }
  | ApplyOutcome
  | ReversalApplyOutcome
  | { readonly kind: 'retry'; readonly code: string }

type NotificationDeps = Pick<LoyaltyDeps, 'cashbacks' | 'reversals' | 'links' | 'paypay' | 'clock' | 'logger' | 'settings'>

/**
 * The notification sweep: accepted cashbacks and reversals (any age: the notification may be about
 * one accepted a second ago), at most 10 of each, none looked at in the last 30 s, so a burst of
 * notifications asks PayPay about each record once. Reads and applies only: an unauthenticated
 * request never makes us Give or Reverse.
 */
export const NOTIFICATION_SWEEP = { limit: 10, recheckAfterMs: 30_000 } as const

/**
 * `POST /api/v1/paypay/cashback/callback`. PayPay's notification carries no verifiable signature
 * and its schema is unpublished (docs/protocols/paypay-opa.md, "Notifications"), so the body is
 * only a hint of which record to look at: the status applied is the one Check Cashback (Reversal)
 * Details returns. A forged, garbage or duplicate body changes nothing PayPay's own API does not
 * confirm.
 * - a reversal id → that reversal is re-read (its notification also names the cashback);
 * - else a cashback id → that cashback is re-read;
 * - no id at all in a readable body → the due records are checked (NOTIFICATION_SWEEP), after
 *   the answer so PayPay's 1.5 s reply timeout is never at risk;
 * - only ids that are not ours, or an unreadable body → nothing.
 */
export async function handlePayPayNotification(
  deps: NotificationDeps,
  body: NotificationBody,
  ctx: { requestId: string; defer: Defer },
): Promise<NotificationOutcome> {
  if (!body.readable) return { kind: 'ignored', reason: 'unreadable' }
  const ids = findNotificationIds(body.value)
  const reversalId = ids.reversalIds[0]
  const cashbackId = ids.cashbackIds[0]
  const source = 'callback'

  if (reversalId) {
    const reversal = await deps.reversals.find(reversalId)
    if (!reversal) return { kind: 'ignored', reason: 'unknown_id' }
    return recheck(
      deps,
      reversal.status,
      () => deps.paypay!.checkReversal(reversal.merchantCashbackReversalId, reversal.merchantCashbackId),
      (d) =>
        applyReversalStatus(deps, reversal, {
          status: d.status,
          reversedAmount: d.amount,
          failureCode: d.failureCode,
          paypayReversalId: d.cashbackReversalId,
          source,
          requestId: ctx.requestId,
        }),
    )
  }
  if (cashbackId) {
    const cashback = await deps.cashbacks.find(cashbackId)
    if (!cashback) return { kind: 'ignored', reason: 'unknown_id' }
    return recheck(
      deps,
      cashback.status,
      () => deps.paypay!.checkCashback(cashback.merchantCashbackId),
      (d) =>
        applyCashbackStatus(deps, cashback, {
          status: d.status,
          failureCode: d.failureCode,
          paypayCashbackId: d.cashbackId,
          source,
          requestId: ctx.requestId,
        }),
    )
  }
  if (ids.foreign.length > 0) return { kind: 'ignored', reason: 'unknown_id' }
  if (!deps.paypay) return { kind: 'ignored', reason: 'not_visible' }
  ctx.defer('loyalty.notification-sweep', () => sweepDue(deps, ctx.requestId))
  return { kind: 'swept' }
}

/** Re-reads one named record's status from PayPay and applies it; a final record is left alone. */
async function recheck<D>(
  deps: NotificationDeps,
  status: string,
  details: () => Promise<PayPayResult<D>>,
  apply: (d: D) => Promise<ApplyOutcome | ReversalApplyOutcome>,
): Promise<NotificationOutcome> {
  if (status === 'succeeded' || status === 'failed') return { kind: 'ignored', reason: 'final' }
  if (!deps.paypay) return { kind: 'retry', code: 'PAYPAY_NOT_CONFIGURED' }
  const d = await details()
  if (d.ok) return apply(d.data)
  return d.kind === 'transient' ? { kind: 'retry', code: d.code } : { kind: 'ignored', reason: 'not_visible' }
}

/** The bounded check a notification without an id triggers (the 5-minute checks' code, reads only). */
export async function sweepDue(deps: NotificationDeps, requestId: string) {
  const opts: CheckOptions = { requestId, sends: false, checkAfterMs: 0, source: 'notification', ...NOTIFICATION_SWEEP }
  const [cashbacks, reversals] = await Promise.all([checkCashbacks(deps, opts), checkReversals(deps, opts)])
  return { cashbacks, reversals }
}
