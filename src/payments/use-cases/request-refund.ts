import { prefixedId } from '../../shared/ids.ts'
import { money } from '../../shared/money.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { paymentErrors, type PaymentError } from '../domain/errors.ts'
import { PAYMENT_STATUSES, paymentLifecycle, type PaymentId } from '../domain/payment.ts'
import { HOLDS_AMOUNT, type RefundId } from '../domain/refund.ts'
import type { RefundView, StoredRefundState } from '../ports.ts'
import type { PaymentDeps } from '../deps.ts'
import { recordRefundAnswer } from './record-refund-answer.ts'

/**
 * Seed 004 §2, without holding a database lock across the gateway call: (1) one statement checks
 * the payment is paid and has the amount left, and holds it as a `requested` refund; (2) Paystack's
 * refund API; (3) one statement records its answer (accepted: pending, order and payment refund
 * status, audit, email job; refused: failed, amount free again). A crash between (1) and (3) leaves
 * a `requested` refund that reconciliation settles from Paystack's refund list. A retried request
 * (same `refundId`, derived from the admin's Idempotency-Key) finds the refund it held: see
 * `resolveHeld`.
 */
export async function requestRefund(
  deps: PaymentDeps,
  cmd: { paymentId: PaymentId; amount: number; currency?: string; reason: string; actor: string; requestId: string; refundId?: RefundId },
): Promise<Result<RefundView, PaymentError>> {
  const now = deps.clock.now()
  const audit = { actor: cmd.actor, requestId: cmd.requestId, now }
  const id = cmd.refundId ?? (prefixedId('rfd', now.getTime()) as RefundId)
  const rules = { refundableFrom: PAYMENT_STATUSES.filter((s) => paymentLifecycle.can(s, 'refund_part')), holds: [...HOLDS_AMOUNT] }
  const held = await deps.store.holdRefund(
    { id, paymentId: cmd.paymentId, amount: cmd.amount, ...(cmd.currency && { currency: cmd.currency }), reason: cmd.reason },
    rules,
    audit,
  )
  const payment = held.payment
  if (!payment) return err(paymentErrors.paymentNotFound(cmd.paymentId))
  if (cmd.currency && cmd.currency !== payment.amount.currency) return err(paymentErrors.currencyMismatch(payment.amount.currency))
  if (held.outcome === 'existing') {
    // The same request again: its amount is already held, so the checks below do not apply.
    const resolved = await resolveHeld(deps, id, payment.reference, audit)
    if (resolved) return ok(resolved)
  } else if (held.outcome === 'refused') {
    if (!paymentLifecycle.can(payment.status, 'refund_part')) return err(paymentErrors.notRefundable(cmd.paymentId, payment.status))
    return err(paymentErrors.refundTooLarge(cmd.amount, held.refundable ?? 0))
  }
  return ok(await sendRefund(deps, id, payment.reference, money(cmd.amount, payment.amount.currency), cmd.reason, audit, held.state))
}

/**
 * The refund a retried request held the first time. Answered: that answer. Still `requested`, its
 * outcome is unknown (the call timed out or the connection dropped): Paystack may have made the
 * refund, and documents no idempotency key for refunds (docs/protocols/paystack.md), so it is
 * looked up there first (`foundAtPaystack`); null means Paystack has none, and the caller sends it again. Without
 * this a retry held and sent a second refund: the customer was refunded twice. Left open: a first
 * call Paystack is still working on when the retry looks, for a partial refund (a full one is
 * refused the second time: see sendRefund).
 */
async function resolveHeld(
  deps: PaymentDeps,
  refundId: RefundId,
  reference: string,
  audit: { actor: string; requestId: string; now: Date },
): Promise<RefundView | null> {
  const prior = await deps.store.findRefund(refundId)
  if (!prior) throw new Error(`refund ${refundId} vanished`)
  if (prior.status !== 'requested') return prior
  return foundAtPaystack(deps, refundId, reference, audit)
}

/**
 * Moves our refunds of the charge to Paystack's list (an unmatched refund there is taken as our
 * unanswered one of the same amount, as reconciliation does); the refund if that answered it, null
 * if it is still `requested`.
 */
async function foundAtPaystack(
  deps: PaymentDeps,
  refundId: RefundId,
  reference: string,
  audit: { actor: string; requestId: string; now: Date },
): Promise<RefundView | null> {
  const listed = await deps.gateway.listRefunds(reference)
  if (listed.ok) await deps.store.applyGatewayRefunds(reference, listed.value, audit)
  const now = await deps.store.findRefund(refundId)
  return now && now.status !== 'requested' ? now : null
}

/** Steps (2) and (3) above; also used by the automatic refund of a late payment. */
export async function sendRefund(
  deps: PaymentDeps,
  refundId: RefundId,
  reference: string,
  amount: ReturnType<typeof money>,
  note: string,
  audit: { actor: string; requestId: string; now: Date },
  state?: StoredRefundState | null,
): Promise<RefundView> {
  const answer = await deps.gateway.refund({ reference, amount, note })
  if (!answer.ok) {
    // Paystack refuses a second send of a refund it already made ("Transaction has been fully
    // reversed"): another delivery of the auto-refund job, or a timed-out first attempt that
    // landed while this one was sent. Recording that refusal failed a refund the customer got
    // (payment left paid); look first, as for an unknown outcome.
    const found = await foundAtPaystack(deps, refundId, reference, audit)
    if (found) {
      deps.logger.warn('refund refused but already made at Paystack', { refund_id: refundId, reference, message: answer.message })
      return found
    }
  }
  const view = await recordRefundAnswer(
    deps,
    refundId,
    answer.ok
      ? { accepted: true, gatewayRefundId: answer.value.gatewayRefundId, status: answer.value.status }
      : { accepted: false, message: answer.message },
    audit,
    state,
  )
  deps.logger.info('refund sent', { refund_id: refundId, reference, status: view.status })
  return view
}
