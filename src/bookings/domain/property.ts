import type { Brand } from '../../shared/brand.ts'

export type PropertyId = Brand<string, 'PropertyId'>

export interface Property {
  readonly id: PropertyId
  readonly name: string
  readonly hostId: string
  readonly maxGuests: number
  /** Direct bookings: price per night, integer minor units (VND has none). */
  readonly nightlyRate: number
  readonly currency: string
  readonly createdAt: Date
}
