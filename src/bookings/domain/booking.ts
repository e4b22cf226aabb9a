import type { Brand } from '../../shared/brand.ts'
import { defineStateMachine } from '../../shared/state-machine.ts'
import type { Night } from './nights.ts'
import type { PaymentSessionId } from './payment-session.ts'
import type { PropertyId } from './property.ts'

export type BookingId = Brand<string, 'BookingId'>

/** The seed's booking states (seed 003 §5). */
export const BOOKING_STATUSES = ['PENDING', 'CONFIRMED', 'CANCELLED'] as const
export type BookingStatus = (typeof BOOKING_STATUSES)[number]
export type BookingEvent = 'confirm' | 'cancel'

/** PENDING: paid, its nights not yet on the calendar. CONFIRMED: the nights are blocked. */
export const bookingLifecycle = defineStateMachine<BookingStatus, BookingEvent>('booking', BOOKING_STATUSES, [
  { from: 'PENDING', event: 'confirm', to: 'CONFIRMED' },
  { from: ['PENDING', 'CONFIRMED'], event: 'cancel', to: 'CANCELLED' },
])

export interface Booking {
  readonly id: BookingId
  readonly referenceNumber: string
  readonly propertyId: PropertyId
  readonly propertyName: string
  readonly userId: string
  readonly hostId: string
  readonly paymentSessionId: PaymentSessionId | null
  readonly nights: readonly Night[]
  readonly checkIn: Night
  readonly checkOut: Night
  readonly guestCount: number
  readonly totalAmount: number
  readonly currency: string
  readonly status: BookingStatus
  readonly cancelReason: string | null
  readonly confirmedPushedAt: Date | null
  readonly createdAt: Date
  readonly updatedAt: Date
}

const REF_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'

/** `BK-XXXX-XXXX`: short enough to read over the phone, no 0/O or 1/I/L to confuse. */
export function newReferenceNumber(random: Uint8Array): string {
  if (random.length < 8) throw new RangeError('need 8 random bytes')
  let s = ''
  for (let i = 0; i < 8; i++) s += REF_ALPHABET[random[i]! % REF_ALPHABET.length]
  return `BK-${s.slice(0, 4)}-${s.slice(4)}`
}

export const EMAIL_TEMPLATE_CONFIRMATION = 'booking_confirmation'
