import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { bookingLifecycle, newReferenceNumber, type Booking, type BookingId } from '../domain/booking.ts'
import { bookingErrors, type BookingError } from '../domain/errors.ts'
import { nightOf, nightsBetween } from '../domain/nights.ts'
import type { PropertyId } from '../domain/property.ts'
import type { Refund } from '../domain/refund.ts'
import type { BookingDeps } from '../deps.ts'
import { queueFollowUps } from './fulfil-booking.ts'
import { validNights } from './manage-auctions.ts'
import { newRefund, queueRefund } from './settle-payment.ts'

/**
 * Seed 003 §10 `POST /bookings`: a booking made directly (outside the auction and ZaloPay flow,
 * settled with the host), priced at the property's nightly rate. Its nights are blocked in the
 * same transaction, so of two bookings for one night the database lets exactly one through.
 */
export async function createDirectBooking(
  deps: BookingDeps,
  cmd: { userId: string; propertyId: string; checkIn: string; checkOut: string; guestCount: number; requestId: string },
): Promise<Result<Booking, BookingError>> {
  const now = deps.clock.now()
  const property = await deps.properties.find(cmd.propertyId as PropertyId)
  if (!property) return err(bookingErrors.propertyNotFound(cmd.propertyId))
  if (cmd.checkOut <= cmd.checkIn) return err(bookingErrors.invalidNights('checkOut must be after checkIn'))
  const nights = validNights(nightsBetween(cmd.checkIn, cmd.checkOut), now)
  if (!nights.ok) return nights
  if (nights.value.length > 60) return err(bookingErrors.invalidNights('A stay is at most 60 nights'))
  if (cmd.guestCount > property.maxGuests) return err(bookingErrors.tooManyGuests(property.maxGuests))
  const claimed = await deps.properties.claimedNights(property.id, nights.value)
  if (claimed.length > 0) return err(bookingErrors.nightsUnavailable(claimed))
  const id = prefixedId('bkg', now.getTime()) as BookingId
  const created = await deps.bookings.createDirect(
    {
      id,
      referenceNumber: newReferenceNumber(deps.random(8)),
      propertyId: property.id,
      propertyName: property.name,
      userId: cmd.userId,
      hostId: property.hostId,
      paymentSessionId: null,
      nights: nights.value,
      checkIn: cmd.checkIn,
      checkOut: cmd.checkOut,
      guestCount: cmd.guestCount,
      totalAmount: property.nightlyRate * nights.value.length,
      currency: property.currency,
      status: 'CONFIRMED',
      cancelReason: null,
      confirmedPushedAt: null,
      createdAt: now,
      updatedAt: now,
    },
    {
      actor: cmd.userId,
      action: 'booking.created',
      entityType: 'booking',
      entityId: id,
      requestId: cmd.requestId,
      at: now,
      data: { direct: true },
    },
  )
  if (!created.ok) return err(bookingErrors.nightsUnavailable(created.taken))
  await queueFollowUps(deps, id)
  return ok(created.booking)
}

/**
 * Seed 003 §10 `DELETE /bookings/{id}`: the owner cancels before check-in; the nights are free
 * again at once and a ZaloPay payment is refunded (asynchronously: the refund job polls
 * query_refund until ZaloPay settles it).
 */
export async function cancelBooking(
  deps: BookingDeps,
  cmd: { bookingId: string; userId: string; requestId: string },
): Promise<Result<{ booking: Booking; refund: Refund | null }, BookingError>> {
  const now = deps.clock.now()
  const booking = await deps.bookings.find(cmd.bookingId as BookingId)
  if (!booking || booking.userId !== cmd.userId) return err(bookingErrors.bookingNotFound(cmd.bookingId))
  if (!bookingLifecycle.can(booking.status, 'cancel')) return err(bookingErrors.bookingNotCancellable(booking.id, booking.status))
  if (booking.checkIn <= nightOf(now)) return err(bookingErrors.bookingNotCancellable(booking.id, 'STARTED'))
  const session = booking.paymentSessionId ? await deps.sessions.find(booking.paymentSessionId) : null
  const refund =
    session?.status === 'PAID' && session.transactionId
      ? newRefund(session, session.transactionId, session.amount, 'BOOKING_CANCELLED', now, booking.id)
      : undefined
  const cancelled = await deps.bookings.cancel(
    booking.id,
    booking.status,
    'CANCELLED_BY_GUEST',
    now,
    {
      actor: cmd.userId,
      action: 'booking.cancelled',
      entityType: 'booking',
      entityId: booking.id,
      requestId: cmd.requestId,
      at: now,
    },
    refund,
  )
  if (!cancelled) {
    const current = await deps.bookings.find(booking.id)
    return err(bookingErrors.bookingNotCancellable(booking.id, current?.status ?? booking.status))
  }
  const stored = cancelled.refund
  if (stored?.status === 'PENDING') await queueRefund(deps, stored.id)
  return ok({ booking: cancelled.booking, refund: stored })
}
