import type { Brand } from '../../shared/brand.ts'
import type { Money } from '../../shared/money.ts'
import { defineStateMachine } from '../../shared/state-machine.ts'

export type PaymentId = Brand<string, 'PaymentId'>
/** Our reference for the gateway: `TXN-` and a ULID (unguessable). */
export type PaymentReference = Brand<string, 'PaymentReference'>

export const PAYMENT_STATUSES = ['initialized', 'paid', 'failed', 'abandoned', 'needs_review', 'partially_refunded', 'refunded'] as const
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number]
export type PaymentEvent = 'succeed' | 'fail' | 'abandon' | 'flag' | 'refund_part' | 'refund_all'

/**
 * Seed 004's payment lifecycle. `flag` is a success whose amount or currency differs from what was
 * initialized: nothing is fulfilled until a person looks. Refund events move a paid payment only.
 */
export const paymentLifecycle = defineStateMachine<PaymentStatus, PaymentEvent>('payment', PAYMENT_STATUSES, [
  { from: 'initialized', event: 'succeed', to: 'paid' },
  { from: 'initialized', event: 'fail', to: 'failed' },
  { from: 'initialized', event: 'abandon', to: 'abandoned' },
  { from: 'initialized', event: 'flag', to: 'needs_review' },
  { from: ['paid', 'partially_refunded'], event: 'refund_part', to: 'partially_refunded' },
  { from: ['paid', 'partially_refunded'], event: 'refund_all', to: 'refunded' },
])

export interface Payment {
  readonly id: PaymentId
  readonly orderId: string
  readonly userId: string
  readonly reference: PaymentReference
  readonly amount: Money
  readonly status: PaymentStatus
  readonly email: string
  readonly authorizationUrl: string | null
  readonly createdAt: Date
}

/** What the gateway says about a charge, read from its verify API (never from a webhook body). */
export interface VerifiedCharge {
  readonly reference: string
  readonly status: 'success' | 'failed' | 'abandoned' | 'reversed' | 'pending'
  readonly amount: number
  readonly currency: string
  readonly gatewayTransactionId: string
  readonly paidAt: Date | null
}

export type ChargeDecision =
  | { readonly kind: 'fulfil' }
  | { readonly kind: 'already_settled' }
  | { readonly kind: 'mismatch'; readonly reason: string }
  | { readonly kind: 'failed' }
  | { readonly kind: 'not_final' }

/** The pure rule for a verified charge against the payment we initialized. */
export function decideCharge(payment: Pick<Payment, 'amount' | 'status'>, charge: VerifiedCharge): ChargeDecision {
  if (payment.status !== 'initialized') return { kind: 'already_settled' }
  if (charge.status === 'failed') return { kind: 'failed' }
  if (charge.status !== 'success' && charge.status !== 'reversed') return { kind: 'not_final' }
  if (charge.amount !== payment.amount.amount || charge.currency !== payment.amount.currency) {
    return {
      kind: 'mismatch',
      reason: `gateway reports ${charge.amount} ${charge.currency}, initialized ${payment.amount.amount} ${payment.amount.currency}`,
    }
  }
  return { kind: 'fulfil' }
}
