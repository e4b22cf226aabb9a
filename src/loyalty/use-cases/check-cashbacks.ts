import { applyCashbackStatus } from './cashback-status.ts'
import { checkDue, type CheckOptions, type CheckReport } from './check-due.ts'
import { giveCashback } from './give-cashback.ts'
import type { LoyaltyDeps } from '../deps.ts'

export type CashbackCheckReport = CheckReport

/**
 * The 5-minute check (seed 000 "Check status cashback granted", seed 001's scheduled task for
 * "when callback doesn't work"). For each cashback accepted a few minutes ago, Check Cashback
 * Details decides: SUCCESS completes it, FAILURE credits the points back; TRANSACTION_NOT_FOUND is
 * waited out, then Give is re-sent with the same merchantCashbackId (PayPay's FAQ: a new id risks
 * a double grant). Cashbacks still `requested` long after creation (lost publish, dead-lettered
 * job) are given again. Every change is a guarded transition, so overlapping runs apply each once.
 */
export function checkCashbacks(
  deps: Pick<LoyaltyDeps, 'cashbacks' | 'links' | 'paypay' | 'clock' | 'logger' | 'settings'>,
  opts: CheckOptions,
): Promise<CashbackCheckReport> {
  const { requestId } = opts
  return checkDue(deps, opts, {
    noun: 'cashback',
    idKey: 'merchant_cashback_id',
    records: deps.cashbacks,
    id: (c) => c.merchantCashbackId,
    details: (paypay, c) => paypay.checkCashback(c.merchantCashbackId),
    apply: (c, d, checkedAt) =>
      applyCashbackStatus(deps, c, {
        status: d.status,
        failureCode: d.failureCode,
        paypayCashbackId: d.cashbackId,
        source: opts.source ?? 'check',
        requestId,
        checkedAt,
      }),
    send: (c, from) => giveCashback(deps, c.merchantCashbackId, { requestId, from }),
    counts: { resend: ['failed'], redrive: ['succeeded', 'failed'] },
  })
}
