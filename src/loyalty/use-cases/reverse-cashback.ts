import { ulid } from '../../shared/ids.ts'
import type { MerchantCashbackReversalId, Reversal, ReversalStatus } from '../domain/reversal.ts'
import type { PayPayFailure, PayPayGateway } from '../ports.ts'
import type { LoyaltyDeps } from '../deps.ts'
import { applyReversalStatus, type ReversalReport } from './reversal-status.ts'

export type ReverseOutcome =
  | { readonly kind: 'skipped'; readonly reason: 'not_found' | 'not_pending' | 'busy'; readonly status?: ReversalStatus }
  | { readonly kind: 'done'; readonly status: ReversalStatus }
  | { readonly kind: 'retry'; readonly code: string; readonly message: string }

type ReverseDeps = Pick<LoyaltyDeps, 'reversals' | 'paypay' | 'clock' | 'logger' | 'settings'>

/**
 * The reverse-cashback job: Reverse Cashback with the reversal's own merchantCashbackReversalId
 * (under the reversal's lease). Accepted → accepted; transient → retry with the same id; refused →
 * failed and the reservation released (after Check Reversal Details on a retry, as for Give).
 */
export async function reverseCashback(
  deps: ReverseDeps,
  id: MerchantCashbackReversalId,
  ctx: { requestId: string; from?: ReversalStatus },
): Promise<ReverseOutcome> {
  const from = ctx.from ?? 'requested'
  if (!deps.paypay) {
    const found = await deps.reversals.find(id)
    if (!found) return { kind: 'skipped', reason: 'not_found' }
    if (found.status !== from) return { kind: 'skipped', reason: 'not_pending', status: found.status }
    return { kind: 'retry', code: 'PAYPAY_NOT_CONFIGURED', message: 'PayPay is not configured' }
  }
  const paypay = deps.paypay
  const token = ulid()
  const now = deps.clock.now()
  const claimed = await deps.reversals.claim(id, from, token, now, new Date(now.getTime() + deps.settings.leaseMs))
  if (claimed.kind === 'not_found') return { kind: 'skipped', reason: 'not_found' }
  if (claimed.kind !== 'claimed') return { kind: 'skipped', reason: claimed.kind, status: claimed.status }
  const reversal = claimed.record
  let lastError: string | null = null
  let released = false
  const apply = async (r: ReversalReport): Promise<ReverseOutcome> => {
    const applied = await applyReversalStatus(deps, reversal, { ...r, release: { token, lastError } })
    released = applied.kind === 'applied'
    return { kind: 'done', status: applied.status }
  }
  try {
    const res = await paypay.reverseCashback({
      merchantCashbackReversalId: id,
      merchantCashbackId: reversal.merchantCashbackId,
      amount: reversal.amount,
      requestedAt: deps.clock.now(),
      reason: reversal.reason,
    })
    if (res.ok) return await apply(report('ACCEPTED', ctx.requestId))
    lastError = `${res.code}: ${res.message}`
    if (res.kind === 'transient') return { kind: 'retry', code: res.code, message: res.message }
    return await refused(deps, paypay, reversal, res, ctx.requestId, apply)
  } finally {
    if (!released) await deps.reversals.release(id, token, lastError)
  }
}

async function refused(
  deps: ReverseDeps,
  paypay: PayPayGateway,
  reversal: Reversal,
  res: PayPayFailure,
  requestId: string,
  apply: (r: ReversalReport) => Promise<ReverseOutcome>,
): Promise<ReverseOutcome> {
  if (reversal.attempts > 1 || reversal.status !== 'requested') {
    const details = await paypay.checkReversal(reversal.merchantCashbackReversalId, reversal.merchantCashbackId)
    if (details.ok) {
      return apply({
        status: details.data.status,
        reversedAmount: details.data.amount,
        failureCode: details.data.failureCode,
        paypayReversalId: details.data.cashbackReversalId,
        source: 'reverse',
        requestId,
      })
    }
    if (details.kind === 'transient' || res.code === 'VALIDATION_FAILED_EXCEPTION') {
      return { kind: 'retry', code: details.code, message: 'the earlier Reverse is not visible yet' }
    }
  }
  deps.logger.warn('reverse cashback refused', { merchant_cashback_reversal_id: reversal.merchantCashbackReversalId, code: res.code })
  return apply({ ...report('FAILURE', requestId), failureCode: res.code })
}

const report = (status: 'ACCEPTED' | 'FAILURE', requestId: string): ReversalReport => ({
  status,
  reversedAmount: null,
  failureCode: null,
  paypayReversalId: null,
  source: 'reverse',
  requestId,
})
