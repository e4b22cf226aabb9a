import { z } from 'zod'
import { instant, minorUnits, pageLimit, prefixedId, text } from '../../platform/http/schemas.ts'
import { PG_INTEGER_MAX } from '../../platform/http/validation.ts'
import { isNight } from '../domain/nights.ts'

/** What seed 003's front end and the admin tools send: bodies, path parameters and queries. */

/** A night is a real calendar date (isNight checks the day exists, not only the shape). */
const night = z.string().refine(isNight, 'a calendar date YYYY-MM-DD')
/** VND has no minor unit and an award is never free, hence positive. */
const vnd = z.number().int().positive().max(PG_INTEGER_MAX).describe('VND (no minor unit)')

/** Seed 003 §1 request. The amount is checked against the award, never used. */
export const CreatePaymentRequest = z.object({
  auctionId: prefixedId('auc'),
  selectedNights: z.array(night).min(1).max(366),
  amount: vnd,
  orderInfo: z.string().max(256),
  guestCount: z.number().int().min(1).max(100).default(1).describe('beyond the seed; default 1'),
})

/**
 * ZaloPay's callback body, for the document only: the handler reads the raw bytes (the key2 MAC is
 * over `data` exactly as sent), so no validator may parse it first. A JSON Schema object rather
 * than zod is what tells @hono/zod-openapi to document the body without validating it.
 */
export const ZaloPayCallbackBodyDoc = {
  type: 'object' as const,
  required: ['data', 'mac', 'type'],
  properties: { data: { type: 'string' as const }, mac: { type: 'string' as const }, type: { type: 'integer' as const } },
}

export const CreateBookingRequest = z.object({
  propertyId: prefixedId('prop'),
  checkIn: night,
  checkOut: night,
  guestCount: z.number().int().min(1).max(100),
})

export const CreatePropertyRequest = z.strictObject({
  name: text(200),
  hostId: text(256),
  maxGuests: z.number().int().min(1).max(100),
  nightlyRate: minorUnits,
  currency: z.literal('VND').default('VND').describe('ZaloPay settles in VND'),
})

export const CreateAuctionRequest = z.strictObject({
  propertyId: prefixedId('prop'),
  nights: z.array(night).min(1).max(366),
  endsAt: instant.optional(),
})

export const RecordResultsRequest = z.strictObject({
  awards: z
    .array(
      z.strictObject({
        userId: text(256),
        nights: z.array(night).min(1).max(366),
        amount: vnd,
        paymentDeadline: instant,
        runnersUp: z
          .array(z.strictObject({ userId: text(256), amount: vnd }))
          .max(20)
          .default([]),
      }),
    )
    .min(1)
    .max(100),
})

export const SessionParam = z.object({ sessionId: prefixedId('ps') })
export const PaymentParam = z.object({ paymentId: prefixedId('ps') })
export const AppTransParam = z.object({ appTransId: z.string().regex(/^\d{6}_[0-9A-Z]{1,33}$/, 'an app_trans_id') })
export const TransactionParam = z.object({ transactionId: z.string().regex(/^\d{1,20}$/, "ZaloPay's zp_trans_id") })
export const BookingParam = z.object({ bookingId: prefixedId('bkg') })
export const OfferParam = z.object({ offerId: prefixedId('off') })
export const PropertyParam = z.object({ propertyId: prefixedId('prop') })
export const AuctionParam = z.object({ auctionId: prefixedId('auc') })
export const AwardParam = z.object({ awardId: z.union([prefixedId('awd'), prefixedId('off')]) })
export const ListQuery = z.object({ limit: pageLimit, before: prefixedId('bkg').optional() })
export const CalendarQuery = z.object({ from: night.optional(), to: night.optional() })
