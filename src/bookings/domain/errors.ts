import { domainError } from '../../shared/result.ts'

export const bookingErrors = {
  propertyNotFound: (id: string) => domainError('PROPERTY_NOT_FOUND', `No property ${id}`, { property_id: id }),
  auctionNotFound: (id: string) => domainError('AUCTION_NOT_FOUND', `No auction ${id}`, { auction_id: id }),
  auctionClosed: (id: string) => domainError('AUCTION_CLOSED', `Auction ${id} already has its results`, { auction_id: id }),
  invalidNights: (reason: string, nights?: readonly string[]) => domainError('INVALID_NIGHTS', reason, nights ? { nights } : undefined),
  nightsUnavailable: (nights: readonly string[]) =>
    domainError('NIGHTS_UNAVAILABLE', `These nights are not available: ${nights.join(', ')}`, { nights }),
  awardNotFound: (auctionId: string) =>
    domainError('AWARD_NOT_FOUND', `You hold no award for auction ${auctionId}`, { auction_id: auctionId }),
  awardIdNotFound: (id: string) => domainError('AWARD_NOT_FOUND', `No award ${id}`, { award_id: id }),
  offerNotFound: (id: string) => domainError('OFFER_NOT_FOUND', `No offer ${id}`, { offer_id: id }),
  offerNotOpen: (id: string, status: string) => domainError('OFFER_NOT_OPEN', `Offer ${id} is ${status}`, { offer_id: id, status }),
  awardNotPayable: (status: string) => domainError('AWARD_NOT_PAYABLE', `This award is ${status} and can no longer be paid`, { status }),
  alreadyPaid: (sessionId: string) => domainError('ALREADY_PAID', 'This award is already paid', { session_id: sessionId }),
  deadlinePassed: (deadline: Date) =>
    domainError('PAYMENT_DEADLINE_PASSED', `The payment deadline passed at ${deadline.toISOString()}`, {
      payment_deadline: deadline.toISOString(),
    }),
  amountMismatch: (expected: number, given: number) =>
    domainError('AMOUNT_MISMATCH', `The amount must be the awarded ${expected}`, { expected, given }),
  nightsMismatch: (expected: readonly string[]) =>
    domainError('NIGHTS_MISMATCH', 'selectedNights must be exactly the awarded nights', { expected }),
  tooManyGuests: (max: number) => domainError('GUEST_COUNT_EXCEEDED', `This property takes at most ${max} guests`, { max }),
  sessionBusy: (sessionId: string) =>
    domainError('PAYMENT_IN_PROGRESS', 'A payment for this award is being created; retry in a moment', { session_id: sessionId }),
  gatewayRejected: (code: number, message: string) =>
    domainError('GATEWAY_REJECTED', `ZaloPay refused the order: ${message}`, { sub_return_code: code }),
  gatewayNotConfigured: () => domainError('GATEWAY_NOT_CONFIGURED', 'ZaloPay is not configured on this server'),
  sessionNotFound: (id: string) => domainError('PAYMENT_SESSION_NOT_FOUND', `No payment ${id}`, { id }),
  paymentNotCompleted: (id: string, status: string) =>
    domainError('PAYMENT_NOT_COMPLETED', `Payment ${id} is ${status}`, { payment_id: id, status }),
  bookingNotFound: (id: string) => domainError('BOOKING_NOT_FOUND', `No booking ${id}`, { booking_id: id }),
  bookingNotConfirmed: (id: string, status: string) =>
    domainError('BOOKING_NOT_CONFIRMED', `Booking ${id} is ${status}`, { booking_id: id, status }),
  bookingNotCancellable: (id: string, status: string) =>
    domainError('BOOKING_NOT_CANCELLABLE', `Booking ${id} is ${status} and cannot be cancelled`, { booking_id: id, status }),
}

export type BookingError = ReturnType<(typeof bookingErrors)[keyof typeof bookingErrors]>
export type BookingErrorCode = BookingError['code']
