import type { OrderId } from '../../orders/domain/order.ts'
import { ulid } from '../../shared/ids.ts'
import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { paymentErrors, type PaymentError } from '../domain/errors.ts'
import type { Payment, PaymentId, PaymentReference } from '../domain/payment.ts'
import type { PaymentDeps } from '../deps.ts'

export interface PaymentIntent {
  readonly paymentId: string
  readonly reference: string
  readonly authorizationUrl: string
  readonly reused: boolean
}

/**
 * `TXN-` + a ULID (80 random bits): unique and unguessable. Seed 004 writes `TXN_…`, but Paystack
 * allows only letters, digits, `-`, `.` and `=` in a reference (docs/protocols/paystack.md), so a
 * hyphen.
 */
export const newReference = (nowMs: number): PaymentReference => `TXN-${ulid(nowMs)}` as PaymentReference

const MAX_TRIES = 3

/**
 * Seed 004 §1 steps 5-9 in two statements around the Paystack call: (1) one reads the order and
 * its live payment and, if the order is payable, opens the payment (guarded: one live payment per
 * order); (2) one records Paystack's answer. A live payment is answered again instead of creating
 * a second Paystack transaction. The intent is then cached in Redis (seed step 7).
 */
export async function initializePayment(
  deps: PaymentDeps,
  cmd: { orderId: OrderId; userId: string; email?: string; requestId: string },
): Promise<Result<PaymentIntent, PaymentError>> {
  const now = deps.clock.now()
  const audit = { actor: `user:${cmd.userId}`, requestId: cmd.requestId, now }
  const id = prefixedId('pay', now.getTime()) as PaymentId
  const reference = newReference(now.getTime())
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    const opened = await deps.store.openPayment(
      { id, reference, orderId: cmd.orderId, userId: cmd.userId, ...(cmd.email && { email: cmd.email }) },
      audit,
    )
    const order = opened.order
    if (!order) return err(paymentErrors.orderNotFound(cmd.orderId))
    if (order.status !== 'awaiting_payment') return err(paymentErrors.orderNotPayable(order.id, order.status))
    if (order.expiresAt.getTime() <= now.getTime()) return err(paymentErrors.orderExpired(order.id))
    if (opened.created) return openAtGateway(deps, opened.created, audit)
    const live = opened.live
    if (live) {
      if (!live.authorizationUrl) return err(paymentErrors.initInProgress(order.id))
      await deps.intents.put(order.id, { reference: live.reference, authorizationUrl: live.authorizationUrl }, deps.intentTtlSeconds)
      return ok({ paymentId: live.id, reference: live.reference, authorizationUrl: live.authorizationUrl, reused: true })
    }
    if (!opened.email) return err(paymentErrors.emailRequired())
    // Nothing inserted and no live payment seen: a concurrent request opened one after this
    // statement's snapshot was taken. The next read sees it.
  }
  return err(paymentErrors.initInProgress(cmd.orderId))
}

/** Paystack's initialize for the payment just opened, then its answer recorded (one statement). */
async function openAtGateway(
  deps: PaymentDeps,
  payment: Payment,
  audit: { actor: string; requestId: string; now: Date },
): Promise<Result<PaymentIntent, PaymentError>> {
  const answer = await deps.gateway
    .initialize({
      reference: payment.reference,
      amount: payment.amount,
      email: payment.email,
      callbackUrl: deps.callbackUrl,
      metadata: { order_id: payment.orderId, payment_id: payment.id },
    })
    .catch(async (e: unknown) => {
      // Unknown whether Paystack created it; nobody was shown its page, so retire this reference.
      await deps.store.markInitFailed(payment.id, String(e), audit)
      throw e
    })
  if (!answer.ok) {
    await deps.store.markInitFailed(payment.id, answer.message, audit)
    return err(paymentErrors.gateway(answer.message))
  }
  await deps.store.attachAuthorization(payment.id, answer.value.authorizationUrl, answer.value.accessCode)
  await deps.intents.put(
    payment.orderId,
    { reference: payment.reference, authorizationUrl: answer.value.authorizationUrl },
    deps.intentTtlSeconds,
  )
  deps.logger.info('payment initialized', { payment_id: payment.id, order_id: payment.orderId, reference: payment.reference })
  return ok({ paymentId: payment.id, reference: payment.reference, authorizationUrl: answer.value.authorizationUrl, reused: false })
}
