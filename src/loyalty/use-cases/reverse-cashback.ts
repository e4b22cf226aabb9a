import { ulid } from '../../shared/ids.ts'
import type { MerchantCashbackReversalId, Reversal, ReversalStatus } from '../domain/reversal.ts'
import type { PayPayFailure } from '../ports.ts'
import type { LoyaltyDeps } from './loyalty-deps.ts'
import { applyReversalStatus } from './reversal-status.ts'

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
  const reversal = await deps.reversals.find(id)
  if (!reversal) return { kind: 'skipped', reason: 'not_found' }
  if (reversal.status !== from) return { kind: 'skipped', reason: 'not_pending', status: reversal.status }
  if (!deps.paypay) return { kind: 'retry', code: 'PAYPAY_NOT_CONFIGURED', message: 'PayPay is not configured' }

  const token = ulid()
  const now = deps.clock.now()
  const lease = await deps.reversals.claim(id, from, token, now, new Date(now.getTime() + deps.settings.leaseMs))
  if (!lease) return { kind: 'skipped', reason: 'busy', status: reversal.status }
  let lastError: string | null = null
  try {
    const res = await deps.paypay.reverseCashback({
      merchantCashbackReversalId: id,
      merchantCashbackId: reversal.merchantCashbackId,
      amount: reversal.amount,
      requestedAt: deps.clock.now(),
      reason: reversal.reason,
    })
    if (res.ok) {
      const applied = await applyReversalStatus(deps, reversal, report('ACCEPTED', ctx.requestId))
      return { kind: 'done', status: applied.status }
    }
    lastError = `${res.code}: ${res.message}`
    if (res.kind === 'transient') return { kind: 'retry', code: res.code, message: res.message }
    return await refused(deps, reversal, res, lease.attempts, ctx.requestId)
  } finally {
    await deps.reversals.release(id, token, lastError)
  }
}

async function refused(deps: ReverseDeps, reversal: Reversal, res: PayPayFailure, attempts: number, requestId: string): Promise<ReverseOutcome> {
  if (attempts > 1 || reversal.status !== 'requested') {
    const details = await deps.paypay!.checkReversal(reversal.merchantCashbackReversalId, reversal.merchantCashbackId)
    if (details.ok) {
      const applied = await applyReversalStatus(deps, reversal, {
        status: details.data.status,
        reversedAmount: details.data.amount,
        failureCode: details.data.failureCode,
        paypayReversalId: details.data.cashbackReversalId,
        source: 'reverse',
        requestId,
      })
      return { kind: 'done', status: applied.status }
    }
    if (details.kind === 'transient' || res.code === 'VALIDATION_FAILED_EXCEPTION') {
      return { kind: 'retry', code: details.code, message: 'the earlier Reverse is not visible yet' }
    }
  }
  deps.logger.warn('reverse cashback refused', { merchant_cashback_reversal_id: reversal.merchantCashbackReversalId, code: res.code })
  const applied = await applyReversalStatus(deps, reversal, { ...report('FAILURE', requestId), failureCode: res.code })
  return { kind: 'done', status: applied.status }
}

const report = (status: 'ACCEPTED' | 'FAILURE', requestId: string) => ({
  status,
  reversedAmount: null,
  failureCode: null,
  paypayReversalId: null,
  source: 'reverse',
  requestId,
})
