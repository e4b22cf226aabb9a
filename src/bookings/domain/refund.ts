import type { Brand } from '../../shared/brand.ts'
import { defineStateMachine } from '../../shared/state-machine.ts'
import type { BookingId } from './booking.ts'
import type { PaymentSessionId } from './payment-session.ts'

export type RefundId = Brand<string, 'RefundId'>

export const REFUND_STATUSES = ['PENDING', 'PROCESSING', 'SUCCEEDED', 'FAILED'] as const
export type RefundStatus = (typeof REFUND_STATUSES)[number]
export type RefundEvent = 'submitted' | 'succeeded' | 'failed'

/** ZaloPay refunds are asynchronous: submitted, then polled with query_refund until final. */
export const refundLifecycle = defineStateMachine<RefundStatus, RefundEvent>('refund', REFUND_STATUSES, [
  { from: 'PENDING', event: 'submitted', to: 'PROCESSING' },
  { from: ['PENDING', 'PROCESSING'], event: 'succeeded', to: 'SUCCEEDED' },
  { from: ['PENDING', 'PROCESSING'], event: 'failed', to: 'FAILED' },
])

export type RefundReason = 'BOOKING_CANCELLED' | 'LATE_PAYMENT' | 'AMOUNT_MISMATCH' | 'NIGHTS_TAKEN'

export interface Refund {
  readonly id: RefundId
  readonly paymentSessionId: PaymentSessionId
  readonly bookingId: BookingId | null
  readonly mRefundId: string | null
  readonly transactionId: string
  readonly amount: number
  readonly reason: RefundReason
  readonly status: RefundStatus
  readonly gatewayRefundId: string | null
  readonly requestedAt: Date | null
  readonly attempts: number
  readonly createdAt: Date
  readonly updatedAt: Date
}
