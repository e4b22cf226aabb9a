import { ledgerKeys } from '../domain/ledger.ts'
import { eventForPayPayStatus, reportsNothingNew, statusForPayPayStatus, type PayPayTxStatus } from '../domain/paypay-request.ts'
import { reversalLifecycle, type Reversal, type ReversalStatus } from '../domain/reversal.ts'
import type { LeaseRelease } from '../ports.ts'
import type { LoyaltyDeps } from '../deps.ts'

export type ReversalApplyOutcome =
  | { readonly kind: 'applied'; readonly status: ReversalStatus }
  | { readonly kind: 'unchanged'; readonly status: ReversalStatus }
  | { readonly kind: 'refused'; readonly status: ReversalStatus; readonly reported: PayPayTxStatus }

export interface ReversalReport {
  readonly status: PayPayTxStatus
  /** On SUCCESS: what PayPay actually took back. */
  readonly reversedAmount: number | null
  readonly failureCode: string | null
  readonly paypayReversalId: string | null
  readonly source: string
  readonly requestId: string
  /** A check's answer: the move also records the check. */
  readonly checkedAt?: Date
  /** The caller's Reverse lease, freed by the same statement that applies the answer. */
  readonly release?: LeaseRelease
}

/**
 * Applies PayPay's word on a reversal through the lifecycle table (guarded). SUCCESS credits
 * exactly the amount PayPay reports as reversed (never more than asked) as points, under a ledger
 * key that exists once per reversal, and releases the rest of the reservation; FAILURE releases all.
 */
export async function applyReversalStatus(
  deps: Pick<LoyaltyDeps, 'reversals' | 'clock' | 'logger'>,
  reversal: Reversal,
  report: ReversalReport,
): Promise<ReversalApplyOutcome> {
  let current = reversal
  for (let attempt = 0; attempt < 3; attempt++) {
    if (reportsNothingNew(current.status, report.status)) return { kind: 'unchanged', status: current.status }
    const target = statusForPayPayStatus[report.status]
    const event = eventForPayPayStatus(report.status)
    if (!reversalLifecycle.can(current.status, event)) {
      deps.logger.error('paypay status refused by the reversal lifecycle', {
        merchant_cashback_reversal_id: current.merchantCashbackReversalId,
        status: current.status,
        reported: report.status,
      })
      return { kind: 'refused', status: current.status, reported: report.status }
    }
    const at = deps.clock.now()
    const reversed = event === 'succeed' ? Math.max(0, Math.min(current.amount, report.reversedAmount ?? current.amount)) : undefined
    const moved = await deps.reversals.transition(current.merchantCashbackReversalId, current.status, event, {
      at,
      ...(report.failureCode !== null && { failureCode: report.failureCode }),
      ...(report.paypayReversalId !== null && { paypayReversalId: report.paypayReversalId }),
      ...(reversed !== undefined && { reversedAmount: reversed }),
      ...(report.checkedAt && { checkedAt: report.checkedAt }),
      ...(report.release && { release: report.release }),
      ...(reversed !== undefined &&
        reversed > 0 && {
          credit: {
            userId: current.userId,
            kind: 'reversal_credit' as const,
            points: reversed,
            idempotencyKey: ledgerKeys.reversal(current.merchantCashbackReversalId),
            referenceType: 'reversal' as const,
            referenceId: current.merchantCashbackReversalId,
            reason: 'PayPay cashback reversed: points returned',
            actor: 'system:loyalty',
            requestId: report.requestId,
            at,
          },
        }),
      audit: {
        actor: `system:${report.source}`,
        action: `cashback_reversal.${target}`,
        entityType: 'paypay_cashback_reversal',
        entityId: current.merchantCashbackReversalId,
        requestId: report.requestId,
        at,
        data: { from: current.status, paypay_status: report.status, ...(reversed !== undefined && { reversed_amount: reversed }) },
      },
    })
    if (moved !== null) {
      deps.logger.info('reversal status applied', {
        merchant_cashback_reversal_id: current.merchantCashbackReversalId,
        from: current.status,
        to: moved,
      })
      return { kind: 'applied', status: moved }
    }
    const again = await deps.reversals.find(current.merchantCashbackReversalId)
    if (!again) break
    current = again
  }
  return { kind: 'unchanged', status: current.status }
}
