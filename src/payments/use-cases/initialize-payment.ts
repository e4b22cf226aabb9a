import type { OrderId } from '../../orders/domain/order.ts'
import { ulid } from '../../shared/ids.ts'
import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { paymentErrors, type PaymentError } from '../domain/errors.ts'
import type { Payment, PaymentId, PaymentReference } from '../domain/payment.ts'
import type { PaymentDeps } from './payment-deps.ts'

export interface PaymentIntent {
  readonly paymentId: string
  readonly reference: string
  readonly authorizationUrl: string
  readonly reused: boolean
}

/**
 * `TXN-` + a ULID (80 random bits): unique and unguessable. Seed 004 writes `TXN_…`, but Paystack
 * allows only letters, digits, `-`, `.` and `=` in a reference (gateways.md §3.3), so a hyphen.
 */
export const newReference = (nowMs: number): PaymentReference => `TXN-${ulid(nowMs)}` as PaymentReference

/**
 * Seed 004 §1 steps 5-9. One live Paystack transaction per order: a live intent (Redis) or a live
 * payment row (Postgres, unique per order) is answered again instead of creating a second one.
 */
export async function initializePayment(
  deps: PaymentDeps,
  cmd: { orderId: OrderId; userId: string; email?: string; requestId: string },
): Promise<Result<PaymentIntent, PaymentError>> {
  const now = deps.clock.now()
  const order = await deps.orders.findForUser(cmd.orderId, cmd.userId)
  if (!order) return err(paymentErrors.orderNotFound(cmd.orderId))
  if (order.status !== 'awaiting_payment') return err(paymentErrors.orderNotPayable(order.id, order.status))
  if (order.expiresAt.getTime() <= now.getTime()) return err(paymentErrors.orderExpired(order.id))

  const cached = await deps.intents.get(order.id)
  if (cached) {
    const p = await deps.store.findByReference(cached.reference)
    if (p && p.status === 'initialized') return ok({ paymentId: p.id, reference: cached.reference, authorizationUrl: cached.authorizationUrl, reused: true })
  }

  const email = cmd.email ?? (await deps.emailOf(cmd.userId))
  if (!email) return err(paymentErrors.emailRequired())
  const payment: Payment = {
    id: prefixedId('pay', now.getTime()) as PaymentId,
    orderId: order.id,
    userId: cmd.userId,
    reference: newReference(now.getTime()),
    amount: order.total,
    status: 'initialized',
    email,
    authorizationUrl: null,
    createdAt: now,
  }
  const audit = { actor: `user:${cmd.userId}`, requestId: cmd.requestId, now }
  const created = await deps.store.createInitialized(payment, audit)
  if (!created.created) {
    const live = created.existing
    if (!live.authorizationUrl) return err(paymentErrors.initInProgress(order.id))
    await deps.intents.put(order.id, { reference: live.reference, authorizationUrl: live.authorizationUrl }, deps.intentTtlSeconds)
    return ok({ paymentId: live.id, reference: live.reference, authorizationUrl: live.authorizationUrl, reused: true })
  }

  const answer = await deps.gateway
    .initialize({
      reference: payment.reference,
      amount: payment.amount,
      email,
      callbackUrl: deps.callbackUrl,
      metadata: { order_id: order.id, payment_id: payment.id },
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
  await deps.intents.put(order.id, { reference: payment.reference, authorizationUrl: answer.value.authorizationUrl }, deps.intentTtlSeconds)
  deps.logger.info('payment initialized', { payment_id: payment.id, order_id: order.id, reference: payment.reference })
  return ok({ paymentId: payment.id, reference: payment.reference, authorizationUrl: answer.value.authorizationUrl, reused: false })
}
