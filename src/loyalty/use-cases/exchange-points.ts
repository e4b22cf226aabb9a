import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { MAX_EXCHANGE_POINTS, MIN_EXCHANGE_POINTS, POINT_VALUE_JPY, type Cashback, type MerchantCashbackId } from '../domain/cashback.ts'
import { loyaltyErrors, type LoyaltyError } from '../domain/errors.ts'
import { ledgerKeys } from '../domain/ledger.ts'
import { effectiveLinkStatus } from '../domain/link.ts'
import { LOYALTY_JOBS, type LoyaltyDeps } from '../deps.ts'

export interface ExchangePointsCommand {
  readonly userId: string
  readonly points: number
  /** The client's Idempotency-Key: the same key again returns the first exchange. */
  readonly requestKey: string | null
  readonly requestId: string
}

/** Tries when a concurrent change beats the guarded write (the statement's snapshot said it fits). */
const TRIES = 3

/**
 * Seed 000 "Exchange points" (`POST /mypage/point_input`): one statement reads the link and any
 * earlier exchange under the request key and, when the link is live and the key unused, debits
 * the points and creates the cashback with a fresh merchantCashbackId (ledger entry and audit row
 * with it). The decision is made here from that statement's snapshot; the write's guards (live
 * link, unused key, balance >= points) repeat it so a concurrent change fails cleanly and is read
 * again. After commit the Give job is published with the id as its deduplication id: the job, its
 * retries and the 5-minute re-drive all send PayPay this same id, never a new one.
 */
export async function exchangePoints(
  deps: Pick<LoyaltyDeps, 'cashbacks' | 'paypay' | 'queue' | 'clock' | 'logger'>,
  cmd: ExchangePointsCommand,
): Promise<Result<{ cashback: Cashback; replayed: boolean }, LoyaltyError>> {
  if (!deps.paypay) return err(loyaltyErrors.paypayNotConfigured())
  if (!Number.isSafeInteger(cmd.points) || cmd.points < MIN_EXCHANGE_POINTS || cmd.points > MAX_EXCHANGE_POINTS) {
    return err(loyaltyErrors.invalidEntry(`points must be a whole number from ${MIN_EXCHANGE_POINTS} to ${MAX_EXCHANGE_POINTS}`))
  }
  for (let attempt = 1; ; attempt++) {
    const now = deps.clock.now()
    const id = prefixedId('pcb', now.getTime()) as MerchantCashbackId
    const r = await deps.cashbacks.exchange(
      {
        merchantCashbackId: id,
        userId: cmd.userId,
        points: cmd.points,
        amount: cmd.points * POINT_VALUE_JPY,
        requestKey: cmd.requestKey,
        at: now,
      },
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
      {
        actor: `user:${cmd.userId}`,
        action: 'cashback.requested',
        entityType: 'paypay_cashback',
        entityId: id,
        requestId: cmd.requestId,
        at: now,
        data: { points: cmd.points, amount: cmd.points * POINT_VALUE_JPY },
      },
    )
    if (!r.link || r.link.status === 'unlinked') return err(loyaltyErrors.notLinked())
    if (effectiveLinkStatus(r.link, now) !== 'linked') return err(loyaltyErrors.linkExpired(r.link.expiresAt))
    if (r.prior) {
      if (r.prior.points !== cmd.points) return err(loyaltyErrors.idempotencyConflict())
      if (r.prior.status === 'requested') await publishGive(deps, r.prior.merchantCashbackId)
      return ok({ cashback: r.prior, replayed: true })
    }
    if (r.created) {
      await publishGive(deps, id)
      deps.logger.info('points exchanged', { user_id: cmd.userId, merchant_cashback_id: id, points: cmd.points })
      return ok({ cashback: r.created, replayed: false })
    }
    if (r.balance < cmd.points || attempt >= TRIES) return err(loyaltyErrors.insufficientPoints(r.balance, cmd.points))
  }
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
