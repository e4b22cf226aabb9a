import { orderLifecycle, type OrderStatus } from '../../orders/domain/order.ts'
import { paymentLifecycle, type Payment, type PaymentStatus } from './payment.ts'
import { REFUND_EVENT_FOR, refundLifecycle, type RefundStatus } from './refund.ts'

/** Statuses of a refund the gateway accepted: they count towards a partial or full refund. */
export const ACCEPTED_REFUND_STATUSES: readonly RefundStatus[] = ['pending', 'processing', 'processed', 'needs_attention']

/** What recording the gateway's answer to a refund decides on, read without locks. */
export interface RefundState {
  readonly refund: { readonly id: string; readonly status: RefundStatus; readonly amount: number }
  readonly payment: Payment
  readonly order: { readonly id: string; readonly status: OrderStatus } | null
  /** What the payment's other accepted refunds add up to. */
  readonly acceptedOthers: number
}

export type RefundAnswer =
  | { readonly accepted: true; readonly gatewayRefundId: string; readonly status: string }
  | { readonly accepted: false; readonly message: string }

export type RefundAnswerDecision =
  /** The refund already moved past what this answer says (a webhook or the sync got there first). */
  | { readonly kind: 'none' }
  | { readonly kind: 'reject'; readonly to: RefundStatus }
  | {
      readonly kind: 'accept'
      readonly to: RefundStatus
      /** The payment's status before and after (the same when it does not move). */
      readonly payment: { readonly from: PaymentStatus; readonly to: PaymentStatus }
      readonly order: { readonly id: string; readonly from: OrderStatus; readonly to: OrderStatus } | null
    }

/**
 * Seed 004 §2 steps 9-10: a refused refund fails (its amount is free again); an accepted one moves
 * to the gateway's status, and the payment and order become refunded when the accepted refunds
 * cover the payment, else partially refunded.
 */
export function decideRefundAnswer(s: RefundState, answer: RefundAnswer): RefundAnswerDecision {
  if (!answer.accepted) {
    const to = refundLifecycle.transition(s.refund.status, 'reject')
    return to.ok ? { kind: 'reject', to: to.value } : { kind: 'none' }
  }
  const to = refundLifecycle.transition(s.refund.status, REFUND_EVENT_FOR[answer.status] ?? 'accept')
  if (!to.ok) return { kind: 'none' }
  const total = s.acceptedOthers + (ACCEPTED_REFUND_STATUSES.includes(to.value) ? s.refund.amount : 0)
  const event = total >= s.payment.amount.amount ? 'refund_all' : 'refund_part'
  const paymentTo = paymentLifecycle.transition(s.payment.status, event)
  const orderTo = s.order ? orderLifecycle.transition(s.order.status, event) : null
  return {
    kind: 'accept',
    to: to.value,
    payment: { from: s.payment.status, to: paymentTo.ok ? paymentTo.value : s.payment.status },
    order: s.order && orderTo?.ok && orderTo.value !== s.order.status ? { id: s.order.id, from: s.order.status, to: orderTo.value } : null,
  }
}
