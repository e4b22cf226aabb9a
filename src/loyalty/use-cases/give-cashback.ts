import { ulid } from '../../shared/ids.ts'
import type { Cashback, CashbackStatus, MerchantCashbackId } from '../domain/cashback.ts'
import type { PayPayFailure } from '../ports.ts'
import { applyCashbackStatus } from './cashback-status.ts'
import { AUTHORIZATION_CODES } from './gateway-errors.ts'
import type { LoyaltyDeps } from './loyalty-deps.ts'

export type GiveOutcome =
  | { readonly kind: 'skipped'; readonly reason: 'not_found' | 'not_pending' | 'busy'; readonly status?: CashbackStatus }
  | { readonly kind: 'done'; readonly status: CashbackStatus }
  /** Nothing decided: run again later with the same merchantCashbackId (QStash retry, 5-minute check). */
  | { readonly kind: 'retry'; readonly code: string; readonly message: string }

type GiveDeps = Pick<LoyaltyDeps, 'cashbacks' | 'links' | 'paypay' | 'clock' | 'logger' | 'settings'>

/**
 * The give-cashback job (seed 000: "Pubsub → PayPay: if not success, create cashback again").
 * Holds the cashback's lease so concurrent deliveries make one call, sends Give Cashback with the
 * cashback's own merchantCashbackId, and applies the answer:
 * - REQUEST_ACCEPTED → accepted (the grant settles later: callback or 5-minute check);
 * - timeouts, 5xx, 429, an unreadable answer → retry, same id;
 * - a refusal (invalid or expired authorization, validation) → failed, points credited back in
 *   the same transaction. On a retry, PayPay may have received an earlier call whose answer was
 *   lost, so its Check Cashback Details decides first (a re-used id is PayPay's, not a refusal).
 */
export async function giveCashback(deps: GiveDeps, id: MerchantCashbackId, ctx: { requestId: string; from?: CashbackStatus }): Promise<GiveOutcome> {
  const from = ctx.from ?? 'requested'
  const cashback = await deps.cashbacks.find(id)
  if (!cashback) return { kind: 'skipped', reason: 'not_found' }
  if (cashback.status !== from) return { kind: 'skipped', reason: 'not_pending', status: cashback.status }
  if (!deps.paypay) return { kind: 'retry', code: 'PAYPAY_NOT_CONFIGURED', message: 'PayPay is not configured' }

  const token = ulid()
  const now = deps.clock.now()
  const lease = await deps.cashbacks.claim(id, from, token, now, new Date(now.getTime() + deps.settings.leaseMs))
  if (!lease) return { kind: 'skipped', reason: 'busy', status: cashback.status }
  let lastError: string | null = null
  try {
    const res = await deps.paypay.giveCashback({
      merchantCashbackId: id,
      userAuthorizationId: cashback.userAuthorizationId,
      amount: cashback.amount,
      requestedAt: deps.clock.now(),
      orderDescription: 'Points exchange',
    })
    if (res.ok) {
      const applied = await applyCashbackStatus(deps, cashback, report('ACCEPTED', null, ctx.requestId))
      return { kind: 'done', status: applied.status }
    }
    lastError = `${res.code}: ${res.message}`
    if (res.kind === 'transient') {
      deps.logger.warn('give cashback: transient failure, will retry with the same id', { merchant_cashback_id: id, code: res.code })
      return { kind: 'retry', code: res.code, message: res.message }
    }
    return await refused(deps, cashback, res, lease.attempts, ctx.requestId)
  } finally {
    await deps.cashbacks.release(id, token, lastError)
  }
}

async function refused(deps: GiveDeps, cashback: Cashback, res: PayPayFailure, attempts: number, requestId: string): Promise<GiveOutcome> {
  const id = cashback.merchantCashbackId
  const earlierCallMayHaveLanded = attempts > 1 || cashback.status !== 'requested'
  if (earlierCallMayHaveLanded) {
    const details = await deps.paypay!.checkCashback(id)
    if (details.ok) {
      const applied = await applyCashbackStatus(deps, cashback, report(details.data.status, details.data.failureCode, requestId, details.data.cashbackId))
      return { kind: 'done', status: applied.status }
    }
    // PayPay says the id is taken but does not show it yet (FAQ: TRANSACTION_NOT_FOUND right after Give).
    if (details.kind === 'transient' || res.code === 'VALIDATION_FAILED_EXCEPTION') {
      return { kind: 'retry', code: details.code, message: 'the earlier Give is not visible yet' }
    }
  }
  const linkProblem = AUTHORIZATION_CODES[res.code]
  if (linkProblem) {
    // PayPay says the authorization is dead: a link still shown as live is not (an unlinked one stays unlinked).
    const link = await deps.links.findLink(cashback.userId)
    if (link?.status === 'linked' && link.userAuthorizationId === cashback.userAuthorizationId) {
      await deps.links.setLinkStatus(cashback.userId, cashback.userAuthorizationId, linkProblem, deps.clock.now())
    }
  }
  deps.logger.warn('give cashback refused: points returned', { merchant_cashback_id: id, code: res.code })
  const applied = await applyCashbackStatus(deps, cashback, report('FAILURE', res.code, requestId))
  return { kind: 'done', status: applied.status }
}

const report = (status: 'ACCEPTED' | 'SUCCESS' | 'FAILURE', failureCode: string | null, requestId: string, paypayCashbackId: string | null = null) => ({
  status,
  failureCode,
  paypayCashbackId,
  source: 'give',
  requestId,
})
