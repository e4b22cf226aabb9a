import { checkDue, type CheckOptions, type CheckReport } from './check-due.ts'
import type { LoyaltyDeps } from '../deps.ts'
import { reverseCashback } from './reverse-cashback.ts'
import { applyReversalStatus } from './reversal-status.ts'

export type ReversalCheckReport = CheckReport

/**
 * The 5-minute reversal check (seed 000 "Check status cashback cancellation"): Check Cashback
 * Reversal Details for each accepted reversal; SUCCESS credits the reversed amount as points,
 * FAILURE releases it; not found is waited out, then re-sent with the same id. Reversals still
 * `requested` long after creation are sent again.
 */
export function checkReversals(
  deps: Pick<LoyaltyDeps, 'reversals' | 'paypay' | 'clock' | 'logger' | 'settings'>,
  opts: CheckOptions,
): Promise<ReversalCheckReport> {
  const { requestId } = opts
  return checkDue(deps, opts, {
    noun: 'reversal',
    idKey: 'merchant_cashback_reversal_id',
    records: deps.reversals,
    id: (rev) => rev.merchantCashbackReversalId,
    details: (paypay, rev) => paypay.checkReversal(rev.merchantCashbackReversalId, rev.merchantCashbackId),
    apply: (rev, d, checkedAt) =>
      applyReversalStatus(deps, rev, {
        status: d.status,
        reversedAmount: d.amount,
        failureCode: d.failureCode,
        paypayReversalId: d.cashbackReversalId,
        source: opts.source ?? 'check',
        requestId,
        checkedAt,
      }),
    send: (rev, from) => reverseCashback(deps, rev.merchantCashbackReversalId, { requestId, from }),
    counts: { resend: [], redrive: [] },
  })
}
