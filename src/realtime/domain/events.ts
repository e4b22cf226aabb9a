/**
 * What the backend pushes to a user over `/payment-notifications` (seed 003 "WebSocket protocol"):
 * the four message types exactly as the front end's discriminator expects them. Each delivered
 * message also carries `seq`, the user's stream position (beyond the seed: replay on reconnect).
 */
export const CHANNELS = ['auction_results', 'payment_status', 'second_chance_offers', 'booking_confirmations'] as const
export type Channel = (typeof CHANNELS)[number]

export const PAYMENT_STATUSES = ['INITIATED', 'PROCESSING', 'COMPLETED', 'FAILED'] as const
export type PaymentStatusValue = (typeof PAYMENT_STATUSES)[number]

export interface PaymentStatusMessage {
  readonly type: 'PAYMENT_STATUS'
  readonly paymentId: string
  readonly userId: string
  readonly status: PaymentStatusValue
  readonly transactionId?: string
}

export interface BookingConfirmedMessage {
  readonly type: 'BOOKING_CONFIRMED'
  readonly bookingId: string
  readonly userId: string
  readonly propertyName: string
  readonly checkIn: string
  readonly checkOut: string
}

export interface AuctionResultMessage {
  readonly type: 'AUCTION_RESULT'
  readonly auctionId: string
  readonly userId: string
  readonly result: 'WON' | 'PARTIALLY_WON'
  readonly awardedNights?: readonly string[]
  readonly amount: number
  readonly paymentDeadline: string
  readonly propertyName: string
}

export interface SecondChanceOfferMessage {
  readonly type: 'SECOND_CHANCE_OFFER'
  readonly offerId: string
  readonly auctionId: string
  readonly userId: string
  readonly offeredNights: readonly string[]
  readonly amount: number
  readonly responseDeadline: string
  readonly propertyName: string
}

export type UserEvent = PaymentStatusMessage | BookingConfirmedMessage | AuctionResultMessage | SecondChanceOfferMessage
export type SequencedEvent = UserEvent & { readonly seq: number }

const CHANNEL_OF: Record<UserEvent['type'], Channel> = {
  PAYMENT_STATUS: 'payment_status',
  BOOKING_CONFIRMED: 'booking_confirmations',
  AUCTION_RESULT: 'auction_results',
  SECOND_CHANCE_OFFER: 'second_chance_offers',
}

export const channelOf = (e: Pick<UserEvent, 'type'>): Channel => CHANNEL_OF[e.type]
