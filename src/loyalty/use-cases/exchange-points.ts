import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { MAX_EXCHANGE_POINTS, MIN_EXCHANGE_POINTS, POINT_VALUE_JPY, type Cashback, type MerchantCashbackId } from '../domain/cashback.ts'
import { loyaltyErrors, type LoyaltyError } from '../domain/errors.ts'
import { ledgerKeys } from '../domain/ledger.ts'
import { effectiveLinkStatus } from '../domain/link.ts'
import { LOYALTY_JOBS, type LoyaltyDeps } from './loyalty-deps.ts'

export interface ExchangePointsCommand {
  readonly userId: string
  readonly points: number
  /** The client's Idempotency-Key: the same key again returns the first exchange. */
  readonly requestKey: string | null
  readonly requestId: string
}

/**
 * Seed 000 "Exchange points" (`POST /mypage/point_input`): in one transaction the points are
 * debited and the cashback is created with a fresh merchantCashbackId; after commit the Give job
 * is published with that id as its deduplication id. The job, its retries and the 5-minute
 * re-drive all send PayPay this same id, never a new one.
 */
export async function exchangePoints(
  deps: Pick<LoyaltyDeps, 'cashbacks' | 'links' | 'paypay' | 'queue' | 'clock' | 'logger'>,
  cmd: ExchangePointsCommand,
): Promise<Result<{ cashback: Cashback; replayed: boolean }, LoyaltyError>> {
  if (!deps.paypay) return err(loyaltyErrors.paypayNotConfigured())
  if (!Number.isSafeInteger(cmd.points) || cmd.points < MIN_EXCHANGE_POINTS || cmd.points > MAX_EXCHANGE_POINTS) {
    return err(loyaltyErrors.invalidEntry(`points must be a whole number from ${MIN_EXCHANGE_POINTS} to ${MAX_EXCHANGE_POINTS}`))
  }
  const now = deps.clock.now()
  const link = await deps.links.findLink(cmd.userId)
  if (!link || link.status === 'unlinked') return err(loyaltyErrors.notLinked())
  if (effectiveLinkStatus(link, now) !== 'linked') return err(loyaltyErrors.linkExpired(link.expiresAt))

  const id = prefixedId('pcb', now.getTime()) as MerchantCashbackId
  const cashback: Cashback = {
    merchantCashbackId: id,
    userId: cmd.userId,
    userAuthorizationId: link.userAuthorizationId,
    points: cmd.points,
    amount: cmd.points * POINT_VALUE_JPY,
    currency: 'JPY',
    status: 'requested',
    giveAttempts: 0,
    lastError: null,
    failureCode: null,
    paypayCashbackId: null,
    reversalReserved: 0,
    reversedAmount: 0,
    requestedAt: now,
    acceptedAt: null,
    completedAt: null,
    updatedAt: now,
  }
  const created = await deps.cashbacks.createExchange(
    cashback,
    {
      userId: cmd.userId,
      kind: 'exchange_debit',
      points: -cmd.points,
      idempotencyKey: ledgerKeys.exchange(id),
      referenceType: 'cashback',
      referenceId: id,
      reason: 'Exchanged for PayPay cashback',
      actor: `user:${cmd.userId}`,
      requestId: cmd.requestId,
      at: now,
    },
    cmd.requestKey,
    {
      actor: `user:${cmd.userId}`,
      action: 'cashback.requested',
      entityType: 'paypay_cashback',
      entityId: id,
      requestId: cmd.requestId,
      at: now,
      data: { points: cmd.points, amount: cashback.amount },
    },
  )
  if (created.kind === 'insufficient') return err(loyaltyErrors.insufficientPoints(created.balance, cmd.points))
  if (created.kind === 'replayed' && created.cashback.points !== cmd.points) return err(loyaltyErrors.idempotencyConflict())
  if (created.kind === 'created' || created.cashback.status === 'requested') await publishGive(deps, created.cashback.merchantCashbackId)
  if (created.kind === 'created') deps.logger.info('points exchanged', { user_id: cmd.userId, merchant_cashback_id: id, points: cmd.points })
  return ok({ cashback: created.cashback, replayed: created.kind === 'replayed' })
}

/**
 * After commit. A lost publish is not lost work: the 5-minute check re-drives cashbacks still
 * requested, so a queue outage never fails (or repeats) the user's exchange.
 */
export async function publishGive(deps: Pick<LoyaltyDeps, 'queue' | 'logger'>, id: MerchantCashbackId): Promise<void> {
  try {
    await deps.queue.publish({ name: LOYALTY_JOBS.giveCashback, payload: { merchant_cashback_id: id }, deduplicationId: id })
  } catch (e) {
    deps.logger.warn('give-cashback publish failed; the 5-minute check will re-drive it', { merchant_cashback_id: id, error: e })
  }
}
