import type { Brand } from '../../shared/brand.ts'
import { defineStateMachine } from '../../shared/state-machine.ts'
import type { Night } from './nights.ts'
import type { PropertyId } from './property.ts'

export type AuctionId = Brand<string, 'AuctionId'>
/** `awd_…` for a winner's award, `off_…` for a second-chance offer. */
export type AwardId = Brand<string, 'AwardId'>

export interface Auction {
  readonly id: AuctionId
  readonly propertyId: PropertyId
  readonly nights: readonly Night[]
  readonly status: 'OPEN' | 'CLOSED'
  readonly endsAt: Date
  readonly createdAt: Date
}

export const AWARD_STATUSES = ['OFFERED', 'AWARDED', 'PAID', 'LAPSED', 'DECLINED', 'EXPIRED'] as const
export type AwardStatus = (typeof AWARD_STATUSES)[number]
export type AwardEvent = 'accept' | 'decline' | 'expire' | 'pay' | 'lapse'

/**
 * A claim on some nights of an auction. Winners start AWARDED; a second-chance offer starts
 * OFFERED and becomes AWARDED when its user accepts. An AWARDED claim not paid by its deadline
 * lapses and the next bidder gets an offer.
 */
export const awardLifecycle = defineStateMachine<AwardStatus, AwardEvent>('award', AWARD_STATUSES, [
  { from: 'OFFERED', event: 'accept', to: 'AWARDED' },
  { from: 'OFFERED', event: 'decline', to: 'DECLINED' },
  { from: 'OFFERED', event: 'expire', to: 'EXPIRED' },
  { from: 'AWARDED', event: 'pay', to: 'PAID' },
  { from: 'AWARDED', event: 'lapse', to: 'LAPSED' },
])

export interface Award {
  readonly id: AwardId
  readonly auctionId: AuctionId
  /** The winner's award this claim descends from (itself for a winner). */
  readonly rootAwardId: AwardId
  readonly kind: 'WINNER' | 'SECOND_CHANCE'
  readonly userId: string
  readonly nights: readonly Night[]
  readonly amount: number
  readonly currency: string
  readonly status: AwardStatus
  readonly paymentDeadline: Date | null
  readonly responseDeadline: Date | null
  readonly createdAt: Date
  readonly updatedAt: Date
}

export interface RunnerUp {
  readonly rootAwardId: AwardId
  readonly rank: number
  readonly userId: string
  readonly amount: number
}

/** What AUCTION_RESULT says: all the auction's nights, or some of them. */
export const resultOf = (award: Pick<Award, 'nights'>, auction: Pick<Auction, 'nights'>): 'WON' | 'PARTIALLY_WON' =>
  auction.nights.every((n) => award.nights.includes(n)) ? 'WON' : 'PARTIALLY_WON'

/** An accepted offer must be paid within this (and a winner by the deadline the result gives). */
export const OFFER_PAYMENT_WINDOW_MS = 24 * 3600 * 1000
/** A second-chance offer must be answered within this. */
export const OFFER_RESPONSE_WINDOW_MS = 24 * 3600 * 1000
