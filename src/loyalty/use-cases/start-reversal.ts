import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { reversibleAmount, type MerchantCashbackId } from '../domain/cashback.ts'
import { loyaltyErrors, type LoyaltyError } from '../domain/errors.ts'
import type { MerchantCashbackReversalId, Reversal } from '../domain/reversal.ts'
import { LOYALTY_JOBS, type LoyaltyDeps } from '../deps.ts'

export interface StartReversalCommand {
  readonly merchantCashbackId: MerchantCashbackId
  /** JPY to take back; absent = everything still reversible. */
  readonly amount: number | null
  readonly reason: string | null
  readonly requestKey: string | null
  readonly actor: string
  readonly requestId: string
}

/**
 * Admin "revert cashback from PayPay to points", full or partial: reserves the amount on the
 * granted cashback (never more than was granted, also under concurrent requests) and creates the
 * reversal with a fresh merchantCashbackReversalId in one statement, after one read; after commit the Reverse
 * job is published with that id as deduplication id. Points come back only on SUCCESS.
 */
export async function startReversal(
  deps: Pick<LoyaltyDeps, 'reversals' | 'paypay' | 'queue' | 'clock' | 'logger'>,
  cmd: StartReversalCommand,
): Promise<Result<{ reversal: Reversal; replayed: boolean }, LoyaltyError>> {
  if (!deps.paypay) return err(loyaltyErrors.paypayNotConfigured())
  const { cashback, prior } = await deps.reversals.loadForReversal(cmd.merchantCashbackId, cmd.requestKey)
  if (!cashback) return err(loyaltyErrors.cashbackNotFound(cmd.merchantCashbackId))
  if (prior) {
    if (cmd.amount !== null && cmd.amount !== prior.amount) return err(loyaltyErrors.idempotencyConflict())
    return ok({ reversal: prior, replayed: true })
  }
  const reversible = reversibleAmount(cashback)
  if (cashback.status !== 'succeeded' || reversible === 0) {
    return err(loyaltyErrors.notReversible(cashback.merchantCashbackId, cashback.status, reversible))
  }
  const amount = cmd.amount ?? reversible
  if (!Number.isSafeInteger(amount) || amount < 1) return err(loyaltyErrors.invalidEntry('amount must be a positive whole number of JPY'))
  if (amount > reversible) return err(loyaltyErrors.reversalTooLarge(amount, reversible))

  const now = deps.clock.now()
  const id = prefixedId('pcr', now.getTime()) as MerchantCashbackReversalId
  const reversal: Reversal = {
    merchantCashbackReversalId: id,
    merchantCashbackId: cashback.merchantCashbackId,
    userId: cashback.userId,
    amount,
    reversedAmount: null,
    status: 'requested',
    reason: cmd.reason,
    attempts: 0,
    lastError: null,
    failureCode: null,
    paypayReversalId: null,
    requestedBy: cmd.actor,
    requestedAt: now,
    acceptedAt: null,
    completedAt: null,
    updatedAt: now,
  }
  const created = await deps.reversals.create(reversal, cmd.requestKey, {
    actor: cmd.actor,
    action: 'cashback_reversal.requested',
    entityType: 'paypay_cashback_reversal',
    entityId: id,
    requestId: cmd.requestId,
    at: now,
    data: { merchant_cashback_id: cashback.merchantCashbackId, amount, reason: cmd.reason },
  })
  if (created.kind === 'not_reversible') {
    return err(
      created.status === 'succeeded'
        ? loyaltyErrors.reversalTooLarge(amount, created.reversible)
        : loyaltyErrors.notReversible(cashback.merchantCashbackId, created.status ?? 'missing', created.reversible),
    )
  }
  if (created.kind === 'replayed' && created.reversal.amount !== amount) return err(loyaltyErrors.idempotencyConflict())
  if (created.kind === 'created' || created.reversal.status === 'requested')
    await publishReverse(deps, created.reversal.merchantCashbackReversalId)
  return ok({ reversal: created.reversal, replayed: created.kind === 'replayed' })
}

export async function publishReverse(deps: Pick<LoyaltyDeps, 'queue' | 'logger'>, id: MerchantCashbackReversalId): Promise<void> {
  try {
    await deps.queue.publish({ name: LOYALTY_JOBS.reverseCashback, payload: { merchant_cashback_reversal_id: id }, deduplicationId: id })
  } catch (e) {
    deps.logger.warn('reverse-cashback publish failed; the 5-minute check will re-drive it', {
      merchant_cashback_reversal_id: id,
      error: e,
    })
  }
}
