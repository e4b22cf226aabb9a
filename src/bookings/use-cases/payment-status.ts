import { err, ok, type Result } from '../../shared/result.ts'
import { bookingErrors, type BookingError } from '../domain/errors.ts'
import { isOpen, type PaymentSession } from '../domain/payment-session.ts'
import { system, type BookingDeps } from '../deps.ts'
import { settlePayment } from './settle-payment.ts'

/**
 * Seed 003 §2: the owner asks where a payment stands. An open session is checked with ZaloPay's
 * query API and whatever it says is applied through the same path as the callback, so a lost
 * callback is recovered here.
 */
export async function checkPaymentStatus(
  deps: BookingDeps,
  cmd: { appTransId: string; userId: string; requestId: string },
): Promise<Result<PaymentSession, BookingError>> {
  const session = await deps.sessions.findByAppTransId(cmd.appTransId)
  if (!session || session.userId !== cmd.userId) return err(bookingErrors.sessionNotFound(cmd.appTransId))
  if (!isOpen(session.status) || !deps.gateway) return ok(session)
  const settled = await settlePayment(deps, session, await deps.gateway.queryOrder(session.appTransId), {
    source: 'status',
    requestId: cmd.requestId,
  })
  return ok(settled.session)
}

/**
 * The scheduled reconciliation: open sessions that should have heard from ZaloPay by now (or are
 * past their expiry) are queried and settled through the same path as the callback; an unpaid
 * one past expiresAt becomes EXPIRED. Then PAID sessions still without a booking get their
 * booking job again.
 */
export async function reconcilePayments(
  deps: BookingDeps,
  opts: { limit?: number; reconcileAfterMs?: number } = {},
): Promise<Record<string, number>> {
  const now = deps.clock.now()
  const who = system('reconcile', now)
  const counts = { checked: 0, paid: 0, failed: 0, expired: 0, errors: 0, bookingsRequeued: 0 }
  const gateway = deps.gateway
  if (gateway) {
    const due = await deps.sessions.findToReconcile(
      now,
      new Date(now.getTime() - (opts.reconcileAfterMs ?? deps.settings.reconcileAfterMs)),
      opts.limit ?? 100,
    )
    for (const s of due) {
      counts.checked++
      try {
        const r = await settlePayment(deps, s, await gateway.queryOrder(s.appTransId), { source: 'reconcile', requestId: who.requestId })
        if (!r.applied) continue
        if (r.session.status === 'PAID') counts.paid++
        else if (r.session.status === 'EXPIRED') counts.expired++
        else counts.failed++
      } catch (e) {
        counts.errors++
        deps.logger.warn('reconcile: ZaloPay query failed', { session_id: s.id, error: e instanceof Error ? e.message : String(e) })
      }
    }
  }
  const bucket = Math.floor(now.getTime() / 60_000)
  for (const id of await deps.sessions.findPaidWithoutBooking(new Date(now.getTime() - 60_000), opts.limit ?? 100)) {
    await deps.queue.publish({
      name: 'bookings.create-booking',
      payload: { sessionId: id },
      deduplicationId: `create-booking-${id}-${bucket}`,
    })
    counts.bookingsRequeued++
  }
  if (counts.checked + counts.bookingsRequeued > 0) deps.logger.info('payments reconciled', counts)
  return counts
}
