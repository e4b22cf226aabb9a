import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from '../../platform/logger.ts'
import { refuse } from '../../platform/http/route-kit.ts'
import type { BookingError, BookingErrorCode } from '../domain/errors.ts'

/** One status per bookings error code; a new code without one fails the type check. */
export const BOOKING_STATUS: Record<BookingErrorCode, ContentfulStatusCode> = {
  PROPERTY_NOT_FOUND: 404,
  AUCTION_NOT_FOUND: 404,
  AUCTION_CLOSED: 409,
  INVALID_NIGHTS: 422,
  NIGHTS_UNAVAILABLE: 409,
  AWARD_NOT_FOUND: 404,
  OFFER_NOT_FOUND: 404,
  OFFER_NOT_OPEN: 409,
  AWARD_NOT_PAYABLE: 409,
  ALREADY_PAID: 409,
  PAYMENT_DEADLINE_PASSED: 409,
  AMOUNT_MISMATCH: 422,
  NIGHTS_MISMATCH: 422,
  GUEST_COUNT_EXCEEDED: 422,
  PAYMENT_IN_PROGRESS: 409,
  GATEWAY_REJECTED: 502,
  GATEWAY_NOT_CONFIGURED: 503,
  PAYMENT_SESSION_NOT_FOUND: 404,
  PAYMENT_NOT_COMPLETED: 409,
  BOOKING_NOT_FOUND: 404,
  BOOKING_NOT_CONFIRMED: 409,
  BOOKING_NOT_CANCELLABLE: 409,
}

/** Throws a bookings refusal as its HTTP error; the caller's refusals (4xx) are logged at info. */
export function refuseBooking(logger: Logger, e: BookingError): never {
  if (BOOKING_STATUS[e.code] < 500) logger.info('bookings refused', { code: e.code, details: e.details })
  refuse(e, BOOKING_STATUS)
}
