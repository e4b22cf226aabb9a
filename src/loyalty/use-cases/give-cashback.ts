import { ulid } from '../../shared/ids.ts'
import type { Cashback, CashbackStatus, MerchantCashbackId } from '../domain/cashback.ts'
import type { PayPayFailure, PayPayGateway } from '../ports.ts'
import { applyCashbackStatus, type StatusReport } from './cashback-status.ts'
import { AUTHORIZATION_CODES } from './gateway-errors.ts'
import type { LoyaltyDeps } from '../deps.ts'

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
 *   the same statement. On a retry, PayPay may have received an earlier call whose answer was
 *   lost, so its Check Cashback Details decides first (a re-used id is PayPay's, not a refusal).
 */
export async function giveCashback(
  deps: GiveDeps,
  id: MerchantCashbackId,
  ctx: { requestId: string; from?: CashbackStatus },
): Promise<GiveOutcome> {
  const from = ctx.from ?? 'requested'
  if (!deps.paypay) {
    const found = await deps.cashbacks.find(id)
    if (!found) return { kind: 'skipped', reason: 'not_found' }
    if (found.status !== from) return { kind: 'skipped', reason: 'not_pending', status: found.status }
    return { kind: 'retry', code: 'PAYPAY_NOT_CONFIGURED', message: 'PayPay is not configured' }
  }
  const paypay = deps.paypay
  const token = ulid()
  const now = deps.clock.now()
  // The lease read and taken in one statement; the record comes back as it now is.
  const claimed = await deps.cashbacks.claim(id, from, token, now, new Date(now.getTime() + deps.settings.leaseMs))
  if (claimed.kind === 'not_found') return { kind: 'skipped', reason: 'not_found' }
  if (claimed.kind !== 'claimed') return { kind: 'skipped', reason: claimed.kind, status: claimed.status }
  const cashback = claimed.record
  // PayPay's answer and the lease's release are recorded by one statement when the answer moves
  // the cashback; otherwise the lease is released on its own.
  let lastError: string | null = null
  let released = false
  const apply = async (r: StatusReport): Promise<GiveOutcome> => {
    const applied = await applyCashbackStatus(deps, cashback, { ...r, release: { token, lastError } })
    released = applied.kind === 'applied'
    return { kind: 'done', status: applied.status }
  }
  try {
    const res = await paypay.giveCashback({
      merchantCashbackId: id,
      userAuthorizationId: cashback.userAuthorizationId,
      amount: cashback.amount,
      requestedAt: deps.clock.now(),
      orderDescription: 'Points exchange',
    })
    if (res.ok) return await apply(report('ACCEPTED', null, ctx.requestId))
    lastError = `${res.code}: ${res.message}`
    if (res.kind === 'transient') {
      deps.logger.warn('give cashback: transient failure, will retry with the same id', { merchant_cashback_id: id, code: res.code })
      return { kind: 'retry', code: res.code, message: res.message }
    }
    return await refused(deps, paypay, cashback, res, ctx.requestId, apply)
  } finally {
    if (!released) await deps.cashbacks.release(id, token, lastError)
  }
}

async function refused(
  deps: GiveDeps,
  paypay: PayPayGateway,
  cashback: Cashback,
  res: PayPayFailure,
  requestId: string,
  apply: (r: StatusReport) => Promise<GiveOutcome>,
): Promise<GiveOutcome> {
  const id = cashback.merchantCashbackId
  const earlierCallMayHaveLanded = cashback.giveAttempts > 1 || cashback.status !== 'requested'
  if (earlierCallMayHaveLanded) {
    const details = await paypay.checkCashback(id)
    if (details.ok) return apply(report(details.data.status, details.data.failureCode, requestId, details.data.cashbackId))
    // PayPay says the id is taken but does not show it yet (FAQ: TRANSACTION_NOT_FOUND right after Give).
    if (details.kind === 'transient' || res.code === 'VALIDATION_FAILED_EXCEPTION') {
      return { kind: 'retry', code: details.code, message: 'the earlier Give is not visible yet' }
    }
  }
  const linkProblem = AUTHORIZATION_CODES[res.code]
  if (linkProblem) {
    // PayPay says the authorization is dead: a link still shown as live is not (an unlinked one stays unlinked).
    await deps.links.setLinkStatus(cashback.userId, cashback.userAuthorizationId, linkProblem, deps.clock.now(), undefined, 'linked')
  }
  deps.logger.warn('give cashback refused: points returned', { merchant_cashback_id: id, code: res.code })
  return apply(report('FAILURE', res.code, requestId))
}

const report = (
  status: 'ACCEPTED' | 'SUCCESS' | 'FAILURE',
  failureCode: string | null,
  requestId: string,
  paypayCashbackId: string | null = null,
): StatusReport => ({
  status,
  failureCode,
  paypayCashbackId,
  source: 'give',
  requestId,
})
