import type { AuditEntry } from '../../shared/audit.ts'
import { prefixedId } from '../../shared/ids.ts'
import { isOpen, pushedStatus, sessionLifecycle, type PaymentSession, type SessionEvent } from '../domain/payment-session.ts'
import type { Refund, RefundId, RefundReason } from '../domain/refund.ts'
import type { GatewayObservation } from '../ports.ts'
import { bestEffort, BOOKING_JOBS, type BookingDeps } from '../deps.ts'

export type SettleSource = 'callback' | 'status' | 'reconcile' | 'create'

export interface Settlement {
  /** The session as it is now. */
  readonly session: PaymentSession
  /** This call moved it (a duplicate or a concurrent winner leaves it false). */
  readonly applied: boolean
  /** Money arrived for a session that can no longer take it: a refund was requested. */
  readonly refunded?: RefundReason
}

type Deps = Pick<BookingDeps, 'sessions' | 'refunds' | 'events' | 'queue' | 'clock' | 'logger'>

/**
 * The one code path that applies what ZaloPay says about an order: the callback, the status
 * endpoint and the scheduled reconciliation all end here with an observation from ZaloPay's query
 * API. Moves go through the session's transition table with a guarded update, so a duplicate or
 * a concurrent copy applies nothing; after the commit the user gets PAYMENT_STATUS and a paid
 * session queues its booking. Money that arrives when the session cannot take it (late, or a
 * different amount) is refunded, never kept silently.
 */
export async function settlePayment(
  deps: Deps,
  session: PaymentSession,
  seen: GatewayObservation,
  ctx: { source: SettleSource; requestId: string },
): Promise<Settlement> {
  const now = deps.clock.now()
  const audit = (action: string, data?: Record<string, unknown>): AuditEntry => ({
    actor: `zalopay:${ctx.source}`,
    action,
    entityType: 'payment_session',
    entityId: session.id,
    requestId: ctx.requestId,
    at: now,
    data: { source: ctx.source, ...data },
  })

  if (seen.status === 'paid') {
    if (session.status === 'PAID') return { session, applied: false }
    if (!isOpen(session.status)) return lateMoney(deps, session, seen, 'LATE_PAYMENT', audit, ctx)
    if (seen.amount !== session.amount) {
      deps.logger.error('ZaloPay reports a paid amount different from the session', {
        session_id: session.id,
        expected: session.amount,
        reported: seen.amount,
      })
      const refund = newRefund(session, seen.transactionId, seen.amount, 'AMOUNT_MISMATCH', now)
      return move(
        deps,
        session,
        'fail',
        { failureReason: 'AMOUNT_MISMATCH', transactionId: seen.transactionId },
        audit('payment_session.failed', { reported_amount: seen.amount }),
        refund,
      )
    }
    return move(
      deps,
      session,
      'pay',
      { transactionId: seen.transactionId, paidAt: seen.paidAt },
      audit('payment_session.paid', { transaction_id: seen.transactionId }),
    )
  }

  if (!isOpen(session.status)) {
    const event = seen.status === 'failed' ? 'fail' : seen.status === 'cancelled' ? 'cancel' : seen.status === 'expired' ? 'expire' : null
    const refused = event ? sessionLifecycle.transition(session.status, event) : null
    if (refused && !refused.ok) {
      // E.g. FAILED after PAID: the table refuses it, nothing changes; worth an alarm when paid.
      const log = session.status === 'PAID' ? deps.logger.error : deps.logger.info
      log('gateway outcome refused by the session table', { session_id: session.id, ...refused.error.details })
    }
    return { session, applied: false }
  }

  switch (seen.status) {
    case 'failed':
      return move(
        deps,
        session,
        'fail',
        { failureReason: `ZALOPAY_${seen.subCode}` },
        audit('payment_session.failed', { sub_return_code: seen.subCode }),
      )
    case 'cancelled':
      return move(
        deps,
        session,
        'cancel',
        { failureReason: `ZALOPAY_${seen.subCode}` },
        audit('payment_session.cancelled', { sub_return_code: seen.subCode }),
      )
    case 'expired':
      return move(deps, session, 'expire', {}, audit('payment_session.expired', { sub_return_code: seen.subCode }))
    case 'pending':
    case 'unknown':
      // Not paid and past our expiry: ZaloPay will not take money for it any more.
      if (session.expiresAt.getTime() <= now.getTime()) return move(deps, session, 'expire', {}, audit('payment_session.expired'))
      return { session, applied: false }
    case 'processing':
      await bestEffort(deps, 'PAYMENT_STATUS push', () =>
        deps.events.publish(
          { type: 'PAYMENT_STATUS', paymentId: session.id, userId: session.userId, status: 'PROCESSING' },
          { key: `payment-status:${session.id}:PROCESSING` },
        ),
      )
      return { session, applied: false }
  }
}

async function move(
  deps: Deps,
  session: PaymentSession,
  event: SessionEvent,
  patch: { transactionId?: string; paidAt?: Date; failureReason?: string },
  audit: AuditEntry,
  refund?: Refund,
): Promise<Settlement> {
  const moved = await deps.sessions.transition(session.id, session.status, event, patch, audit, refund)
  if (!moved) {
    // Someone else moved it first (a concurrent copy of the callback, the job): report what it is.
    return { session: (await deps.sessions.find(session.id)) ?? session, applied: false }
  }
  await afterCommit(deps, moved, refund)
  return { session: moved, applied: true, ...(refund && { refunded: refund.reason }) }
}

/** Side effects of a settled session, after its one-statement commit. */
async function afterCommit(deps: Deps, s: PaymentSession, refund?: Refund): Promise<void> {
  const status = pushedStatus(s.status)
  await bestEffort(deps, 'PAYMENT_STATUS push', () =>
    deps.events.publish(
      { type: 'PAYMENT_STATUS', paymentId: s.id, userId: s.userId, status, ...(s.transactionId && { transactionId: s.transactionId }) },
      { key: `payment-status:${s.id}:${status}` },
    ),
  )
  if (s.status === 'PAID') {
    await bestEffort(deps, 'create-booking job', () =>
      deps.queue.publish({ name: BOOKING_JOBS.createBooking, payload: { sessionId: s.id }, deduplicationId: `create-booking-${s.id}` }),
    )
  }
  if (refund) await queueRefund(deps, refund.id)
}

export const queueRefund = (deps: Pick<BookingDeps, 'queue' | 'logger'>, refundId: string, attempt = 0, delaySeconds?: number) =>
  bestEffort(deps, 'refund job', () =>
    deps.queue.publish({
      name: BOOKING_JOBS.processRefund,
      payload: { refundId },
      deduplicationId: `refund-${refundId}-${attempt}`,
      ...(delaySeconds !== undefined && { delaySeconds }),
    }),
  )

async function lateMoney(
  deps: Deps,
  session: PaymentSession,
  seen: Extract<GatewayObservation, { status: 'paid' }>,
  reason: RefundReason,
  audit: (action: string, data?: Record<string, unknown>) => AuditEntry,
  ctx: { source: SettleSource },
): Promise<Settlement> {
  const now = deps.clock.now()
  deps.logger.warn('money arrived for a session that no longer takes it; refunding', {
    session_id: session.id,
    status: session.status,
    source: ctx.source,
  })
  const refund = await deps.refunds.request(
    newRefund(session, seen.transactionId, seen.amount, reason, now),
    audit('refund.requested', { reason }),
  )
  if (refund.status === 'PENDING') await queueRefund(deps, refund.id)
  return { session, applied: false, refunded: reason }
}

export function newRefund(
  session: PaymentSession,
  transactionId: string,
  amount: number,
  reason: RefundReason,
  now: Date,
  bookingId: string | null = null,
): Refund {
  return {
    id: prefixedId('rfd', now.getTime()) as RefundId,
    paymentSessionId: session.id,
    bookingId: bookingId as Refund['bookingId'],
    mRefundId: null,
    transactionId,
    amount,
    reason,
    status: 'PENDING',
    gatewayRefundId: null,
    requestedAt: null,
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  }
}
