import { sql, type SQL } from 'drizzle-orm'
import { auctionAwards, auctions, bookings, paymentSessions, properties, zalopayRefunds } from '../../db/schema.ts'
import { fromJson, ts } from '../../platform/unit-of-work-sql.ts'
import type { Auction, AuctionId, Award, AwardId, AwardStatus } from '../domain/auction.ts'
import type { Booking, BookingId, BookingStatus } from '../domain/booking.ts'
import type { Night } from '../domain/nights.ts'
import type { PaymentSession, PaymentSessionId, SessionStatus } from '../domain/payment-session.ts'
import type { Property, PropertyId } from '../domain/property.ts'
import type { Refund, RefundId, RefundReason, RefundStatus } from '../domain/refund.ts'

/**
 * What the bookings repositories share: row <-> entity mapping, and the pieces of their
 * one-statement units of work (rows read back as JSON from a CTE, audit rows written by one).
 */

export const nightsOf = (v: unknown): Night[] =>
  Array.isArray(v)
    ? v.map(String)
    : String(v ?? '')
        .replace(/^\{|\}$/g, '')
        .split(',')
        .filter(Boolean)

type Json = Record<string, unknown>

// ---- entities -----------------------------------------------------------------------------------

export const toProperty = (r: typeof properties.$inferSelect): Property => ({
  id: r.id as PropertyId,
  name: r.name,
  hostId: r.hostId,
  maxGuests: r.maxGuests,
  nightlyRate: r.nightlyRate,
  currency: r.currency,
  createdAt: r.createdAt,
})

export const toAuction = (r: typeof auctions.$inferSelect): Auction => ({
  id: r.id as AuctionId,
  propertyId: r.propertyId as PropertyId,
  nights: nightsOf(r.nights),
  status: r.status,
  endsAt: r.endsAt,
  createdAt: r.createdAt,
})

export const toAward = (r: typeof auctionAwards.$inferSelect): Award => ({
  id: r.id as AwardId,
  auctionId: r.auctionId as AuctionId,
  rootAwardId: r.rootAwardId as AwardId,
  kind: r.kind,
  userId: r.userId,
  nights: nightsOf(r.nights),
  amount: r.amount,
  currency: r.currency,
  status: r.status as AwardStatus,
  paymentDeadline: r.paymentDeadline,
  responseDeadline: r.responseDeadline,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
})

export const awardValues = (a: Award): typeof auctionAwards.$inferInsert => ({ ...a, nights: [...a.nights] })

export const toSession = (r: typeof paymentSessions.$inferSelect): PaymentSession => ({
  id: r.id as PaymentSessionId,
  auctionId: r.auctionId as AuctionId,
  awardId: r.awardId as AwardId,
  userId: r.userId,
  amount: r.amount,
  currency: r.currency,
  nights: nightsOf(r.nights),
  guestCount: r.guestCount,
  status: r.status as SessionStatus,
  appTransId: r.appTransId,
  appTime: r.appTime,
  description: r.description,
  orderUrl: r.orderUrl,
  zpTransToken: r.zpTransToken,
  transactionId: r.transactionId,
  failureReason: r.failureReason,
  paidAt: r.paidAt,
  expiresAt: r.expiresAt,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
})

export const toBooking = (r: typeof bookings.$inferSelect): Booking => ({
  id: r.id as BookingId,
  referenceNumber: r.referenceNumber,
  propertyId: r.propertyId as PropertyId,
  propertyName: r.propertyName,
  userId: r.userId,
  hostId: r.hostId,
  paymentSessionId: r.paymentSessionId as PaymentSessionId | null,
  nights: nightsOf(r.nights),
  checkIn: r.checkIn,
  checkOut: r.checkOut,
  guestCount: r.guestCount,
  totalAmount: r.totalAmount,
  currency: r.currency,
  status: r.status as BookingStatus,
  cancelReason: r.cancelReason,
  confirmedPushedAt: r.confirmedPushedAt,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
})

export const bookingValues = (b: Booking): typeof bookings.$inferInsert => ({ ...b, nights: [...b.nights] })

export const toRefund = (r: typeof zalopayRefunds.$inferSelect): Refund => ({
  id: r.id as RefundId,
  paymentSessionId: r.paymentSessionId as PaymentSessionId,
  bookingId: r.bookingId as BookingId | null,
  mRefundId: r.mRefundId,
  transactionId: r.zpTransId,
  amount: r.amount,
  reason: r.reason as RefundReason,
  status: r.status as RefundStatus,
  gatewayRefundId: r.gatewayRefundId,
  requestedAt: r.requestedAt,
  attempts: r.attempts,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
})

export const refundValues = (r: Refund): typeof zalopayRefunds.$inferInsert => ({
  id: r.id,
  paymentSessionId: r.paymentSessionId,
  bookingId: r.bookingId,
  mRefundId: r.mRefundId,
  zpTransId: r.transactionId,
  amount: r.amount,
  reason: r.reason,
  status: r.status,
  gatewayRefundId: r.gatewayRefundId,
  requestedAt: r.requestedAt,
  attempts: r.attempts,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
})

/** Decoders for rows read back as JSON, by table. */
export const json = {
  property: (j: Json) => toProperty(fromJson(properties, j)),
  auction: (j: Json) => toAuction(fromJson(auctions, j)),
  award: (j: Json) => toAward(fromJson(auctionAwards, j)),
  session: (j: Json) => toSession(fromJson(paymentSessions, j)),
  booking: (j: Json) => toBooking(fromJson(bookings, j)),
  refund: (j: Json) => toRefund(fromJson(zalopayRefunds, j)),
}

/** Inserts the refund once per row of the one-row CTE `from`; a session's second refund is skipped. */
export const refundInsertFrom = (r: Refund, from: string): SQL => sql`
  insert into ${zalopayRefunds} (id, payment_session_id, booking_id, m_refund_id, zp_trans_id, amount, reason, status, gateway_refund_id, requested_at, attempts, created_at, updated_at)
  select ${r.id}::text, ${r.paymentSessionId}::text, ${r.bookingId}::text, ${r.mRefundId}::text, ${r.transactionId}::text, ${r.amount}::int, ${r.reason}::text,
    ${r.status}::text, ${r.gatewayRefundId}::text, ${r.requestedAt?.toISOString() ?? null}::timestamptz, ${r.attempts}::int, ${ts(r.createdAt)}, ${ts(r.updatedAt)}
  from ${sql.raw(from)}
  on conflict do nothing
  returning *`
