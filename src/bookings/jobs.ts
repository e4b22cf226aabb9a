import { z } from 'zod'
import type { JobHandler } from '../platform/http/jobs.ts'
import { BOOKING_JOBS } from './deps.ts'
import {
  blockBookingNights,
  createBookingForPayment,
  dispatchEmails,
  notifyBookingConfirmed,
  openConversation,
  resumeFulfilment,
  sendConfirmation,
} from './use-cases/fulfil-booking.ts'
import { reconcilePayments } from './use-cases/payment-status.ts'
import { processRefund, sweepRefunds } from './use-cases/process-refund.ts'
import { lapseOverdueAwards } from './use-cases/second-chance.ts'

const SessionPayload = z.object({ sessionId: z.string().min(1) })
const BookingPayload = z.object({ bookingId: z.string().min(1) })
const RefundPayload = z.object({ refundId: z.string().min(1) })
/** The schedule sends none; an operator (or a test standing in for "minutes later") may shorten the wait. */
const ReconcilePayload = z.object({ reconcile_after_seconds: z.number().int().min(0).max(86_400).optional() }).nullable()

/** A payload that will never parse is acknowledged (and logged), not retried forever. */
function withPayload<T>(schema: z.ZodType<T>, run: (...a: [Parameters<JobHandler>[0], T]) => Promise<Record<string, unknown>>): JobHandler {
  return async (c, payload) => {
    const parsed = schema.safeParse(payload)
    if (!parsed.success) {
      c.var.logger.error('job payload invalid; dropped', { issues: parsed.error.issues.map((i) => i.path.join('.')) })
      return { status: 'dropped' }
    }
    return run(c, parsed.data)
  }
}

/**
 * The bookings jobs (QStash, at least once): each step of a booking's fulfilment, refunds, and the
 * scheduled sweeps. A business refusal (e.g. the booking was cancelled meanwhile) is a result,
 * not an error: QStash retries only failures of infrastructure.
 */
export const bookingJobs: Record<string, JobHandler> = {
  [BOOKING_JOBS.createBooking]: withPayload(SessionPayload, async (c, p) => {
    const r = await createBookingForPayment(c.var.deps.bookings, {
      sessionId: p.sessionId,
      caller: { system: true },
      requestId: c.var.requestId,
    })
    return r.ok ? { bookingId: r.value.id, bookingStatus: r.value.status } : { skipped: r.error.code }
  }),
  [BOOKING_JOBS.blockNights]: withPayload(BookingPayload, async (c, p) => {
    const r = await blockBookingNights(c.var.deps.bookings, {
      bookingId: p.bookingId,
      caller: { system: true },
      requestId: c.var.requestId,
    })
    return r.ok ? { bookingStatus: r.value.status } : { skipped: r.error.code }
  }),
  [BOOKING_JOBS.openConversation]: withPayload(BookingPayload, async (c, p) => {
    const r = await openConversation(c.var.deps.bookings, { bookingId: p.bookingId, caller: { system: true } })
    return r.ok ? { threadId: r.value.threadId } : { skipped: r.error.code }
  }),
  [BOOKING_JOBS.sendConfirmation]: withPayload(BookingPayload, async (c, p) => {
    const r = await sendConfirmation(c.var.deps.bookings, { bookingId: p.bookingId, caller: { system: true } })
    return r.ok ? { queued: r.value.queued } : { skipped: r.error.code }
  }),
  [BOOKING_JOBS.notifyConfirmed]: withPayload(BookingPayload, async (c, p) => {
    const r = await notifyBookingConfirmed(c.var.deps.bookings, { bookingId: p.bookingId })
    return r.ok ? { seq: r.value.seq } : { skipped: r.error.code }
  }),
  [BOOKING_JOBS.processRefund]: withPayload(RefundPayload, async (c, p) => {
    const r = await processRefund(c.var.deps.bookings, p.refundId)
    return { refundStatus: r?.status ?? null }
  }),
  [BOOKING_JOBS.reconcilePayments]: async (c, payload) => {
    const after = ReconcilePayload.safeParse(payload).data?.reconcile_after_seconds
    return reconcilePayments(c.var.deps.bookings, after === undefined ? {} : { reconcileAfterMs: after * 1000 })
  },
  [BOOKING_JOBS.lapseAwards]: async (c) => lapseOverdueAwards(c.var.deps.bookings),
  [BOOKING_JOBS.resumeFulfilment]: async (c) => {
    const deps = c.var.deps.bookings
    return { ...(await resumeFulfilment(deps)), ...(await sweepRefunds(deps)), emails: await dispatchEmails(deps) }
  },
  [BOOKING_JOBS.dispatchEmails]: async (c) => dispatchEmails(c.var.deps.bookings),
}
