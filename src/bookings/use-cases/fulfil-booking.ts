import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { EMAIL_TEMPLATE_CONFIRMATION, newReferenceNumber, type Booking, type BookingId } from '../domain/booking.ts'
import { bookingErrors, type BookingError } from '../domain/errors.ts'
import { stayOf } from '../domain/nights.ts'
import type { PaymentSessionId } from '../domain/payment-session.ts'
import type { OutboxEmail } from '../ports.ts'
import { bestEffort, BOOKING_JOBS, type BookingDeps } from '../deps.ts'
import { newRefund, queueRefund } from './settle-payment.ts'

/**
 * After a payment: create the booking (seed 003 §5), block its nights (§7), open the conversation
 * thread (§8), queue the confirmation email (§9) and push BOOKING_CONFIRMED. Each step is a queued
 * job and each is idempotent, so QStash's redeliveries and the front end calling the same steps
 * directly change nothing the second time. Each step reads what it needs in one statement, decides
 * here, and commits in one statement (its guards make a concurrent copy change nothing).
 */

/** Who is asking: the owner through the API (others get 404), or the system through a job. */
export type Caller = { readonly userId: string } | { readonly system: true }

const owns = (caller: Caller, userId: string) => 'system' in caller || caller.userId === userId

export async function createBookingForPayment(
  deps: BookingDeps,
  cmd: { sessionId: string; caller: Caller; requestId: string },
): Promise<Result<Booking, BookingError>> {
  const found = await deps.bookings.forPayment(cmd.sessionId as PaymentSessionId)
  if (!found || !owns(cmd.caller, found.session.userId)) return err(bookingErrors.sessionNotFound(cmd.sessionId))
  const { session, booking: existing, property } = found
  if (existing) return ok(existing)
  if (session.status !== 'PAID') return err(bookingErrors.paymentNotCompleted(session.id, session.status))
  if (!property) return err(bookingErrors.auctionNotFound(session.auctionId))
  const now = deps.clock.now()
  const id = prefixedId('bkg', now.getTime()) as BookingId
  const booking = await deps.bookings.createForPayment(
    {
      id,
      referenceNumber: newReferenceNumber(deps.random(8)),
      propertyId: property.id,
      propertyName: property.name,
      userId: session.userId,
      hostId: property.hostId,
      paymentSessionId: session.id,
      nights: session.nights,
      ...stayOf(session.nights),
      guestCount: session.guestCount,
      totalAmount: session.amount,
      currency: session.currency,
      status: 'PENDING',
      cancelReason: null,
      confirmedPushedAt: null,
      createdAt: now,
      updatedAt: now,
    },
    {
      actor: 'system' in cmd.caller ? 'system:booking' : cmd.caller.userId,
      action: 'booking.created',
      entityType: 'booking',
      entityId: id,
      requestId: cmd.requestId,
      at: now,
      data: { payment_session_id: session.id },
    },
  )
  if (booking.status === 'PENDING') {
    await bestEffort(deps, 'block-nights job', () =>
      deps.queue.publish({
        name: BOOKING_JOBS.blockNights,
        payload: { bookingId: booking.id },
        deduplicationId: `block-nights-${booking.id}`,
      }),
    )
  }
  return ok(booking)
}

async function ownedBooking(deps: BookingDeps, bookingId: string, caller: Caller): Promise<Result<Booking, BookingError>> {
  const booking = await deps.bookings.find(bookingId as BookingId)
  if (!booking || !owns(caller, booking.userId)) return err(bookingErrors.bookingNotFound(bookingId))
  return ok(booking)
}

/**
 * Puts the nights on the calendar and confirms the booking. The database refuses a night held by
 * another booking: then this booking is cancelled and its payment refunded.
 */
export async function blockBookingNights(
  deps: BookingDeps,
  cmd: { bookingId: string; caller: Caller; requestId: string },
): Promise<Result<Booking, BookingError>> {
  const found = await ownedBooking(deps, cmd.bookingId, cmd.caller)
  if (!found.ok) return found
  const booking = found.value
  if (booking.status === 'CONFIRMED') return ok(booking)
  if (booking.status === 'CANCELLED') return err(bookingErrors.bookingNotConfirmed(booking.id, booking.status))
  const now = deps.clock.now()
  const audit = {
    actor: 'system' in cmd.caller ? 'system:booking' : cmd.caller.userId,
    requestId: cmd.requestId,
    at: now,
    entityType: 'booking',
    entityId: booking.id,
  }
  const blocked = await deps.bookings.blockNights(booking.id, now, { ...audit, action: 'booking.confirmed' })
  if (blocked.ok) {
    // Cancelled by a concurrent copy of this step between the read and the commit: as if read so.
    if (blocked.booking.status !== 'CONFIRMED') return err(bookingErrors.bookingNotConfirmed(booking.id, blocked.booking.status))
    await queueFollowUps(deps, blocked.booking.id)
    return ok(blocked.booking)
  }
  deps.logger.error('a paid booking lost its nights to another booking; cancelling and refunding', {
    booking_id: booking.id,
    taken: blocked.taken,
  })
  const session = booking.paymentSessionId ? await deps.sessions.find(booking.paymentSessionId) : null
  const refund = session?.transactionId
    ? newRefund(session, session.transactionId, session.amount, 'NIGHTS_TAKEN', now, booking.id)
    : undefined
  const cancelled = await deps.bookings.cancel(
    booking.id,
    'PENDING',
    'NIGHTS_TAKEN',
    now,
    { ...audit, action: 'booking.cancelled', data: { reason: 'NIGHTS_TAKEN' } },
    refund,
  )
  if (cancelled?.refund && refund) await queueRefund(deps, cancelled.refund.id)
  return err(bookingErrors.nightsUnavailable(blocked.taken))
}

/** The three steps after confirmation, each its own job (deduplicated per booking). */
export async function queueFollowUps(deps: Pick<BookingDeps, 'queue' | 'logger'>, bookingId: string, bucket?: number): Promise<void> {
  const suffix = bucket === undefined ? '' : `-${bucket}`
  for (const name of [BOOKING_JOBS.openConversation, BOOKING_JOBS.sendConfirmation, BOOKING_JOBS.notifyConfirmed]) {
    await bestEffort(deps, `${name} job`, () =>
      deps.queue.publish({ name, payload: { bookingId }, deduplicationId: `${name.replace('.', '-')}-${bookingId}${suffix}` }),
    )
  }
}

async function confirmedBooking(deps: BookingDeps, bookingId: string, caller: Caller): Promise<Result<Booking, BookingError>> {
  const found = await ownedBooking(deps, bookingId, caller)
  if (!found.ok) return found
  if (found.value.status !== 'CONFIRMED') return err(bookingErrors.bookingNotConfirmed(found.value.id, found.value.status))
  return found
}

export async function openConversation(
  deps: BookingDeps,
  cmd: { bookingId: string; caller: Caller },
): Promise<Result<{ threadId: string }, BookingError>> {
  const found = await confirmedBooking(deps, cmd.bookingId, cmd.caller)
  if (!found.ok) return found
  const now = deps.clock.now()
  const threadId = await deps.bookings.openConversation(found.value, prefixedId('thr', now.getTime()), now)
  return ok({ threadId })
}

/**
 * Queues the confirmation email once (outbox), stored already claimed for this attempt, and hands
 * it to the mailer at once; if that fails the claim is freed and the sweep sends it later.
 */
export async function sendConfirmation(
  deps: BookingDeps,
  cmd: { bookingId: string; caller: Caller },
): Promise<Result<{ queued: boolean }, BookingError>> {
  const found = await confirmedBooking(deps, cmd.bookingId, cmd.caller)
  if (!found.ok) return found
  const b = found.value
  const now = deps.clock.now()
  const email = {
    id: prefixedId('eml', now.getTime()),
    bookingId: b.id,
    template: EMAIL_TEMPLATE_CONFIRMATION,
    recipientUserId: b.userId,
    subject: `Booking ${b.referenceNumber} confirmed: ${b.propertyName}`,
    body: [
      `Your booking ${b.referenceNumber} at ${b.propertyName} is confirmed.`,
      `Check-in ${b.checkIn}, check-out ${b.checkOut}, ${b.guestCount} guest(s).`,
      `Total paid: ${b.totalAmount} ${b.currency}.`,
    ].join('\n'),
    createdAt: now,
  }
  const queued = await deps.bookings.queueEmail(email, now)
  if (queued) await sendClaimed(deps, email)
  return ok({ queued })
}

/** How long a claimed email is left to its sender before another sweep may send it. */
const EMAIL_CLAIM_MS = 5 * 60_000

/** Hands one claimed email to the mailer: marked sent, or its claim freed for the next sweep. */
async function sendClaimed(deps: Pick<BookingDeps, 'bookings' | 'mailer' | 'clock' | 'logger'>, e: OutboxEmail): Promise<boolean> {
  try {
    await deps.mailer.send({ toUserId: e.recipientUserId, subject: e.subject, body: e.body })
    await deps.bookings.markEmailSent(e.id, deps.clock.now())
    return true
  } catch (error) {
    await deps.bookings.releaseEmail(e.id)
    deps.logger.warn('email not sent; retried later', { email_id: e.id, error: error instanceof Error ? error.message : String(error) })
    return false
  }
}

/** Hands queued emails to the mailer; what fails stays queued for the next run. */
export async function dispatchEmails(
  deps: Pick<BookingDeps, 'bookings' | 'mailer' | 'clock' | 'logger'>,
  opts: { limit?: number } = {},
): Promise<{ sent: number; failed: number }> {
  let sent = 0
  let failed = 0
  for (const e of await deps.bookings.pendingEmails(opts.limit ?? 50)) {
    // Concurrent sweeps (QStash redelivers) see the same pending rows: only the claimant sends.
    if (!(await deps.bookings.claimEmail(e.id, deps.clock.now(), EMAIL_CLAIM_MS))) continue
    if (await sendClaimed(deps, e)) sent++
    else failed++
  }
  return { sent, failed }
}

/** Pushes BOOKING_CONFIRMED (once per booking, whatever the retries). */
export async function notifyBookingConfirmed(
  deps: BookingDeps,
  cmd: { bookingId: string },
): Promise<Result<{ seq: number }, BookingError>> {
  const found = await confirmedBooking(deps, cmd.bookingId, { system: true })
  if (!found.ok) return found
  const b = found.value
  const { seq } = await deps.events.publish(
    {
      type: 'BOOKING_CONFIRMED',
      bookingId: b.id,
      userId: b.userId,
      propertyName: b.propertyName,
      checkIn: b.checkIn,
      checkOut: b.checkOut,
    },
    { key: `booking-confirmed:${b.id}` },
  )
  if (!b.confirmedPushedAt) await deps.bookings.markConfirmedPushed(b.id, deps.clock.now())
  return ok({ seq })
}

/** The sweep: follow-up steps of bookings that a lost job left undone are queued again. */
export async function resumeFulfilment(deps: BookingDeps, opts: { limit?: number } = {}): Promise<{ requeued: number }> {
  const now = deps.clock.now()
  const bucket = Math.floor(now.getTime() / 60_000)
  let requeued = 0
  for (const { booking, conversation, email } of await deps.bookings.findUnfinished(new Date(now.getTime() - 60_000), opts.limit ?? 100)) {
    requeued++
    if (booking.status === 'PENDING') {
      await deps.queue.publish({
        name: BOOKING_JOBS.blockNights,
        payload: { bookingId: booking.id },
        deduplicationId: `block-nights-${booking.id}-${bucket}`,
      })
      continue
    }
    const jobs = [
      ...(conversation ? [] : [BOOKING_JOBS.openConversation]),
      ...(email ? [] : [BOOKING_JOBS.sendConfirmation]),
      ...(booking.confirmedPushedAt ? [] : [BOOKING_JOBS.notifyConfirmed]),
    ]
    for (const name of jobs) {
      await deps.queue.publish({
        name,
        payload: { bookingId: booking.id },
        deduplicationId: `${name.replace('.', '-')}-${booking.id}-${bucket}`,
      })
    }
  }
  return { requeued }
}
