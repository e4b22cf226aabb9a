import { z } from 'zod'
import { AWARD_STATUSES, type Auction, type Award } from '../domain/auction.ts'
import { BOOKING_STATUSES, type Booking } from '../domain/booking.ts'
import { SESSION_STATUSES, type PaymentSession } from '../domain/payment-session.ts'
import type { Property } from '../domain/property.ts'
import type { Refund } from '../domain/refund.ts'

/** What the bookings routes answer (seed 003's field names) and how domain objects become it. */

export const CreatePaymentResponse = z.object({
  orderUrl: z.string(),
  appTransId: z.string(),
  amount: z.number().int(),
  sessionId: z.string().describe('beyond the seed: the session the redirect lands on'),
  paymentId: z.string(),
  expiresAt: z.string(),
})

/** ZaloPay's own answer shape: 1 ack, 2 already applied, 0 retry later, -1 MAC refused. */
export const ZaloPayReply = z.object({ return_code: z.number().int(), return_message: z.string() })

export const PaymentSessionView = z.object({
  id: z.string(),
  paymentId: z.string().describe('the id used by /payment/{paymentId}/booking (same as id)'),
  auctionId: z.string(),
  userId: z.string(),
  amount: z.number().int(),
  currency: z.literal('VND'),
  status: z.enum(SESSION_STATUSES),
  appTransId: z.string(),
  orderUrl: z.string().optional(),
  transactionId: z.string().optional(),
  paidAt: z.string().optional(),
  selectedNights: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string(),
})

export const VerificationView = z.object({
  status: z.enum(['PAID', 'PENDING', 'FAILED', 'CANCELLED']),
  transactionId: z.string().optional(),
  amount: z.number().int().optional(),
  paidAt: z.string().optional(),
})

export const BookingView = z.object({
  id: z.string(),
  referenceNumber: z.string(),
  propertyId: z.string(),
  propertyName: z.string(),
  hostId: z.string(),
  checkIn: z.string().describe('ISO date of the first night'),
  checkOut: z.string().describe('ISO date of the morning after the last night'),
  guestCount: z.number().int(),
  totalAmount: z.number().int(),
  status: z.enum(BOOKING_STATUSES),
  createdAt: z.string(),
  currency: z.string(),
  nights: z.array(z.string()),
  paymentId: z.string().optional(),
})

export const RefundView = z.object({ id: z.string(), amount: z.number().int(), status: z.string(), reason: z.string() })

export const AwardView = z.object({
  id: z.string(),
  auctionId: z.string(),
  kind: z.enum(['WINNER', 'SECOND_CHANCE']),
  userId: z.string(),
  nights: z.array(z.string()),
  amount: z.number().int(),
  currency: z.string(),
  status: z.enum(AWARD_STATUSES),
  paymentDeadline: z.string().nullable(),
  responseDeadline: z.string().nullable(),
})

export const PropertyView = z.object({
  id: z.string(),
  name: z.string(),
  hostId: z.string(),
  maxGuests: z.number().int(),
  nightlyRate: z.number().int(),
  currency: z.string(),
})

export const AuctionView = z.object({
  id: z.string(),
  propertyId: z.string(),
  nights: z.array(z.string()),
  status: z.enum(['OPEN', 'CLOSED']),
  endsAt: z.string(),
})

export const sessionView = (s: PaymentSession): z.infer<typeof PaymentSessionView> => ({
  id: s.id,
  paymentId: s.id,
  auctionId: s.auctionId,
  userId: s.userId,
  amount: s.amount,
  currency: 'VND',
  status: s.status,
  appTransId: s.appTransId,
  ...(s.orderUrl && { orderUrl: s.orderUrl }),
  ...(s.transactionId && { transactionId: s.transactionId }),
  ...(s.paidAt && { paidAt: s.paidAt.toISOString() }),
  selectedNights: [...s.nights],
  createdAt: s.createdAt.toISOString(),
  expiresAt: s.expiresAt.toISOString(),
})

export const bookingView = (b: Booking): z.infer<typeof BookingView> => ({
  id: b.id,
  referenceNumber: b.referenceNumber,
  propertyId: b.propertyId,
  propertyName: b.propertyName,
  hostId: b.hostId,
  checkIn: b.checkIn,
  checkOut: b.checkOut,
  guestCount: b.guestCount,
  totalAmount: b.totalAmount,
  status: b.status,
  createdAt: b.createdAt.toISOString(),
  currency: b.currency,
  nights: [...b.nights],
  ...(b.paymentSessionId && { paymentId: b.paymentSessionId }),
})

export const refundView = (r: Refund): z.infer<typeof RefundView> => ({ id: r.id, amount: r.amount, status: r.status, reason: r.reason })

export const awardView = (a: Award): z.infer<typeof AwardView> => ({
  id: a.id,
  auctionId: a.auctionId,
  kind: a.kind,
  userId: a.userId,
  nights: [...a.nights],
  amount: a.amount,
  currency: a.currency,
  status: a.status,
  paymentDeadline: a.paymentDeadline?.toISOString() ?? null,
  responseDeadline: a.responseDeadline?.toISOString() ?? null,
})

export const propertyView = (p: Property): z.infer<typeof PropertyView> => ({
  id: p.id,
  name: p.name,
  hostId: p.hostId,
  maxGuests: p.maxGuests,
  nightlyRate: p.nightlyRate,
  currency: p.currency,
})

export const auctionView = (a: Auction): z.infer<typeof AuctionView> => ({
  id: a.id,
  propertyId: a.propertyId,
  nights: [...a.nights],
  status: a.status,
  endsAt: a.endsAt.toISOString(),
})
