import { cashbackLifecycle, type Cashback, type CashbackStatus } from '../domain/cashback.ts'
import { ledgerKeys, type NewLedgerEntry } from '../domain/ledger.ts'
import { AUTHORIZATION_VALIDITY_MS } from '../domain/link.ts'
import { eventForPayPayStatus, reportsNothingNew, statusForPayPayStatus, type PayPayTxStatus } from '../domain/paypay-request.ts'
import type { LeaseRelease } from '../ports.ts'
import type { LoyaltyDeps } from '../deps.ts'

export type ApplyOutcome =
  | { readonly kind: 'applied'; readonly status: CashbackStatus }
  | { readonly kind: 'unchanged'; readonly status: CashbackStatus }
  /** The lifecycle table refused it (e.g. FAILURE reported after SUCCESS). */
  | { readonly kind: 'refused'; readonly status: CashbackStatus; readonly reported: PayPayTxStatus }

export interface StatusReport {
  readonly status: PayPayTxStatus
  readonly failureCode: string | null
  readonly paypayCashbackId: string | null
  /** Who learnt it (give, callback, check): goes into the audit row. */
  readonly source: string
  readonly requestId: string
  /** A check's answer: the move also records the check. */
  readonly checkedAt?: Date
  /** The caller's Give lease, freed by the same statement that applies the answer. */
  readonly release?: LeaseRelease
}

export const refundEntry = (c: Cashback, at: Date, requestId: string): NewLedgerEntry => ({
  userId: c.userId,
  kind: 'refund_credit',
  points: c.points,
  idempotencyKey: ledgerKeys.refund(c.merchantCashbackId),
  referenceType: 'cashback',
  referenceId: c.merchantCashbackId,
  reason: 'PayPay cashback failed: points returned',
  actor: 'system:loyalty',
  requestId,
  at,
})

/**
 * Applies what PayPay says about a cashback through the lifecycle table, as one guarded statement:
 * of any number of concurrent reports (job redeliveries, callbacks, checks) one moves the record
 * and the others change nothing. A failure credits the points back in the same statement, under a
 * ledger key that exists once per cashback; a success extends the link's expiry with it
 * (bookkeeping: PayPay extends its side itself).
 */
export async function applyCashbackStatus(
  deps: Pick<LoyaltyDeps, 'cashbacks' | 'clock' | 'logger'>,
  cashback: Cashback,
  report: StatusReport,
): Promise<ApplyOutcome> {
  let current = cashback
  for (let attempt = 0; attempt < 3; attempt++) {
    if (reportsNothingNew(current.status, report.status)) return { kind: 'unchanged', status: current.status }
    const event = eventForPayPayStatus(report.status)
    if (!cashbackLifecycle.can(current.status, event)) {
      deps.logger.error('paypay status refused by the cashback lifecycle', {
        merchant_cashback_id: current.merchantCashbackId,
        status: current.status,
        reported: report.status,
        source: report.source,
      })
      return { kind: 'refused', status: current.status, reported: report.status }
    }
    const at = deps.clock.now()
    const moved = await deps.cashbacks.transition(current.merchantCashbackId, current.status, event, {
      at,
      ...(report.failureCode !== null && { failureCode: report.failureCode }),
      ...(report.paypayCashbackId !== null && { paypayCashbackId: report.paypayCashbackId }),
      ...(event === 'fail' && { refund: refundEntry(current, at, report.requestId) }),
      ...(event === 'succeed' && { extendLinkUntil: new Date(at.getTime() + AUTHORIZATION_VALIDITY_MS) }),
      ...(report.checkedAt && { checkedAt: report.checkedAt }),
      ...(report.release && { release: report.release }),
      audit: {
        actor: `system:${report.source}`,
        action: `cashback.${statusForPayPayStatus[report.status]}`,
        entityType: 'paypay_cashback',
        entityId: current.merchantCashbackId,
        requestId: report.requestId,
        at,
        data: { from: current.status, paypay_status: report.status, ...(report.failureCode && { failure_code: report.failureCode }) },
      },
    })
    if (moved !== null) {
      deps.logger.info('cashback status applied', {
        merchant_cashback_id: current.merchantCashbackId,
        from: current.status,
        to: moved,
        source: report.source,
      })
      return { kind: 'applied', status: moved }
    }
    // Someone else moved it first: look again.
    const again = await deps.cashbacks.find(current.merchantCashbackId)
    if (!again) break
    current = again
  }
  return { kind: 'unchanged', status: current.status }
}
