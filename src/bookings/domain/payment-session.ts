import type { Brand } from '../../shared/brand.ts'
import { defineStateMachine } from '../../shared/state-machine.ts'
import type { AuctionId, AwardId } from './auction.ts'
import type { Night } from './nights.ts'

export type PaymentSessionId = Brand<string, 'PaymentSessionId'>

/** The seed's states (seed 003 §3). */
export const SESSION_STATUSES = ['CREATED', 'PENDING', 'PAID', 'FAILED', 'CANCELLED', 'EXPIRED'] as const
export type SessionStatus = (typeof SESSION_STATUSES)[number]
export type SessionEvent = 'order_created' | 'pay' | 'fail' | 'cancel' | 'expire'

/**
 * CREATED: our row exists, ZaloPay's order not confirmed yet. PENDING: the order exists and the
 * user may pay. PAID, FAILED, CANCELLED and EXPIRED are final: nothing leaves them, so a FAILED
 * after PAID (or a late PAID after EXPIRED) is refused here and nowhere else.
 */
export const sessionLifecycle = defineStateMachine<SessionStatus, SessionEvent>('payment_session', SESSION_STATUSES, [
  { from: 'CREATED', event: 'order_created', to: 'PENDING' },
  { from: ['CREATED', 'PENDING'], event: 'pay', to: 'PAID' },
  { from: ['CREATED', 'PENDING'], event: 'fail', to: 'FAILED' },
  { from: ['CREATED', 'PENDING'], event: 'cancel', to: 'CANCELLED' },
  { from: ['CREATED', 'PENDING'], event: 'expire', to: 'EXPIRED' },
])

export const isOpen = (s: SessionStatus): boolean => s === 'CREATED' || s === 'PENDING'

export interface PaymentSession {
  readonly id: PaymentSessionId
  readonly auctionId: AuctionId
  readonly awardId: AwardId
  readonly userId: string
  readonly amount: number
  readonly currency: string
  readonly nights: readonly Night[]
  readonly guestCount: number
  readonly status: SessionStatus
  readonly appTransId: string
  readonly appTime: number
  readonly description: string
  readonly orderUrl: string | null
  readonly zpTransToken: string | null
  /** ZaloPay's zp_trans_id once paid. */
  readonly transactionId: string | null
  readonly failureReason: string | null
  readonly paidAt: Date | null
  readonly expiresAt: Date
  readonly createdAt: Date
  readonly updatedAt: Date
}

/** What `GET /payment/zalopay/status/{appTransId}` reports (seed 003 §2). */
export function verificationStatus(s: SessionStatus): 'PAID' | 'PENDING' | 'FAILED' | 'CANCELLED' {
  switch (s) {
    case 'CREATED':
    case 'PENDING':
      return 'PENDING'
    case 'PAID':
      return 'PAID'
    case 'CANCELLED':
      return 'CANCELLED'
    case 'FAILED':
    case 'EXPIRED':
      return 'FAILED'
  }
}

/** The PAYMENT_STATUS push for a session state. */
export function pushedStatus(s: SessionStatus): 'INITIATED' | 'COMPLETED' | 'FAILED' {
  return s === 'PAID' ? 'COMPLETED' : s === 'CREATED' || s === 'PENDING' ? 'INITIATED' : 'FAILED'
}
