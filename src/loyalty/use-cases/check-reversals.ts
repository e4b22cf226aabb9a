import { definedOnly, inBatches, type CheckOptions } from './check-cashbacks.ts'
import type { LoyaltyDeps } from './loyalty-deps.ts'
import { reverseCashback } from './reverse-cashback.ts'
import { applyReversalStatus } from './reversal-status.ts'

export interface ReversalCheckReport {
  checked: number
  succeeded: number
  failed: number
  still_accepted: number
  not_found: number
  resent: number
  redriven: number
  errors: number
}

/**
 * The 5-minute reversal check (seed 000 "Check status cashback cancellation"): Check Cashback
 * Reversal Details for each accepted reversal; SUCCESS credits the reversed amount as points,
 * FAILURE releases it; not found is waited out, then re-sent with the same id. Reversals still
 * `requested` long after creation are sent again.
 */
export async function checkReversals(
  deps: Pick<LoyaltyDeps, 'reversals' | 'paypay' | 'clock' | 'logger' | 'settings'>,
  opts: CheckOptions,
): Promise<ReversalCheckReport> {
  const r: ReversalCheckReport = { checked: 0, succeeded: 0, failed: 0, still_accepted: 0, not_found: 0, resent: 0, redriven: 0, errors: 0 }
  const paypay = deps.paypay
  if (!paypay) return r
  const s = { ...deps.settings, ...definedOnly(opts) }
  const limit = opts.limit ?? 100
  const now = deps.clock.now()

  const accepted = await deps.reversals.due('accepted', new Date(now.getTime() - s.checkAfterMs), limit)
  await inBatches(accepted, 4, async (rev) => {
    r.checked++
    try {
      const details = await paypay.checkReversal(rev.merchantCashbackReversalId, rev.merchantCashbackId)
      const at = deps.clock.now()
      if (details.ok) {
        const out = await applyReversalStatus(deps, rev, {
          status: details.data.status,
          reversedAmount: details.data.amount,
          failureCode: details.data.failureCode,
          paypayReversalId: details.data.cashbackReversalId,
          source: 'check',
          requestId: opts.requestId,
        })
        if (out.kind === 'applied' && out.status === 'succeeded') r.succeeded++
        else if (out.kind === 'applied' && out.status === 'failed') r.failed++
        else if (out.status === 'accepted') r.still_accepted++
        await deps.reversals.noteCheck(rev.merchantCashbackReversalId, at, null)
      } else if (details.kind === 'refused' && details.code === 'TRANSACTION_NOT_FOUND') {
        r.not_found++
        if (at.getTime() - (rev.acceptedAt ?? rev.requestedAt).getTime() >= s.notFoundResendAfterMs) {
          const out = await reverseCashback(deps, rev.merchantCashbackReversalId, { requestId: opts.requestId, from: 'accepted' })
          if (out.kind !== 'skipped') r.resent++
        }
        await deps.reversals.noteCheck(rev.merchantCashbackReversalId, at, 'TRANSACTION_NOT_FOUND')
      } else {
        r.errors++
        await deps.reversals.noteCheck(rev.merchantCashbackReversalId, at, `${details.code}: ${details.message}`)
      }
    } catch (e) {
      r.errors++
      deps.logger.error('reversal check failed', { merchant_cashback_reversal_id: rev.merchantCashbackReversalId, error: e })
    }
  })

  const stale = await deps.reversals.due('requested', new Date(now.getTime() - s.redriveAfterMs), limit)
  await inBatches(stale, 4, async (rev) => {
    try {
      const out = await reverseCashback(deps, rev.merchantCashbackReversalId, { requestId: opts.requestId })
      if (out.kind === 'retry') r.errors++
      else if (out.kind === 'done') r.redriven++
    } catch (e) {
      r.errors++
      deps.logger.error('reversal re-drive failed', { merchant_cashback_reversal_id: rev.merchantCashbackReversalId, error: e })
    }
  })
  if (r.checked + r.redriven + r.errors > 0) deps.logger.info('reversal check done', { ...r })
  return r
}
