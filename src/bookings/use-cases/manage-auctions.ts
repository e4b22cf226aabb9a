import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { resultOf, type Auction, type AuctionId, type Award, type AwardId } from '../domain/auction.ts'
import { bookingErrors, type BookingError } from '../domain/errors.ts'
import { isNight, nightOf, normaliseNights, type Night } from '../domain/nights.ts'
import type { Property, PropertyId } from '../domain/property.ts'
import type { NewAward } from '../ports.ts'
import { bestEffort, type BookingDeps } from '../deps.ts'

export async function createProperty(
  deps: Pick<BookingDeps, 'properties' | 'clock'>,
  cmd: { name: string; hostId: string; maxGuests: number; nightlyRate: number; currency: string; actor: string; requestId: string },
): Promise<Property> {
  const now = deps.clock.now()
  const property: Property = {
    id: prefixedId('prop', now.getTime()) as PropertyId,
    name: cmd.name,
    hostId: cmd.hostId,
    maxGuests: cmd.maxGuests,
    nightlyRate: cmd.nightlyRate,
    currency: cmd.currency,
    createdAt: now,
  }
  await deps.properties.create(property, {
    actor: cmd.actor,
    action: 'property.created',
    entityType: 'property',
    entityId: property.id,
    requestId: cmd.requestId,
    at: now,
  })
  return property
}

/** Checks a set of nights: well-formed, not in the past. Returns them sorted. */
export function validNights(nights: readonly string[], now: Date): Result<Night[], BookingError> {
  const bad = nights.filter((n) => !isNight(n))
  if (bad.length > 0) return err(bookingErrors.invalidNights('Nights are calendar dates YYYY-MM-DD', bad))
  const sorted = normaliseNights(nights)
  if (sorted.length !== nights.length) return err(bookingErrors.invalidNights('Each night may appear once'))
  const past = sorted.filter((n) => n < nightOf(now))
  if (past.length > 0) return err(bookingErrors.invalidNights('These nights are in the past', past))
  return ok(sorted)
}

/** An auction for some nights of a property: the nights must be free of bookings and other claims. */
export async function createAuction(
  deps: Pick<BookingDeps, 'properties' | 'auctions' | 'clock'>,
  cmd: { propertyId: string; nights: readonly string[]; endsAt: Date; actor: string; requestId: string },
): Promise<Result<Auction, BookingError>> {
  const now = deps.clock.now()
  const property = await deps.properties.find(cmd.propertyId as PropertyId)
  if (!property) return err(bookingErrors.propertyNotFound(cmd.propertyId))
  const nights = validNights(cmd.nights, now)
  if (!nights.ok) return nights
  const taken = await deps.properties.claimedNights(property.id, nights.value)
  if (taken.length > 0) return err(bookingErrors.nightsUnavailable(taken))
  const auction: Auction = {
    id: prefixedId('auc', now.getTime()) as AuctionId,
    propertyId: property.id,
    nights: nights.value,
    status: 'OPEN',
    endsAt: cmd.endsAt,
    createdAt: now,
  }
  await deps.auctions.create(auction, {
    actor: cmd.actor,
    action: 'auction.created',
    entityType: 'auction',
    entityId: auction.id,
    requestId: cmd.requestId,
    at: now,
    data: { property_id: property.id, nights: nights.value },
  })
  return ok(auction)
}

export interface AwardInput {
  readonly userId: string
  readonly nights: readonly string[]
  readonly amount: number
  readonly paymentDeadline: Date
  /** Next bidders for these nights, best first: who gets a second-chance offer. */
  readonly runnersUp: ReadonlyArray<{ userId: string; amount: number }>
}

/**
 * Records an auction's outcome (closing it): one award per winner over disjoint nights of the
 * auction, each with its runners-up. Each winner is told with AUCTION_RESULT after the commit.
 */
export async function recordAuctionResults(
  deps: Pick<BookingDeps, 'properties' | 'auctions' | 'events' | 'clock' | 'logger'>,
  cmd: { auctionId: string; awards: readonly AwardInput[]; actor: string; requestId: string },
): Promise<Result<{ auction: Auction; awards: Award[] }, BookingError>> {
  const now = deps.clock.now()
  const auction = await deps.auctions.find(cmd.auctionId as AuctionId)
  if (!auction) return err(bookingErrors.auctionNotFound(cmd.auctionId))
  if (auction.status !== 'OPEN') return err(bookingErrors.auctionClosed(auction.id))
  const property = await deps.properties.find(auction.propertyId)
  if (!property) return err(bookingErrors.propertyNotFound(auction.propertyId))

  const seen = new Set<Night>()
  const planned: NewAward[] = []
  for (const a of cmd.awards) {
    const nights = normaliseNights(a.nights)
    const outside = nights.filter((n) => !auction.nights.includes(n))
    if (outside.length > 0 || nights.length !== a.nights.length) {
      return err(bookingErrors.invalidNights('Awarded nights must be distinct nights of the auction', outside))
    }
    const twice = nights.filter((n) => seen.has(n))
    if (twice.length > 0) return err(bookingErrors.invalidNights('A night can be awarded to one winner only', twice))
    for (const n of nights) seen.add(n)
    if (a.paymentDeadline.getTime() <= now.getTime()) return err(bookingErrors.deadlinePassed(a.paymentDeadline))
    const id = prefixedId('awd', now.getTime()) as AwardId
    planned.push({
      award: {
        id,
        auctionId: auction.id,
        rootAwardId: id,
        kind: 'WINNER',
        userId: a.userId,
        nights,
        amount: a.amount,
        currency: property.currency,
        status: 'AWARDED',
        paymentDeadline: a.paymentDeadline,
        responseDeadline: null,
        createdAt: now,
        updatedAt: now,
      },
      runnersUp: a.runnersUp
        .filter((r) => r.userId !== a.userId)
        .map((r, i) => ({ rootAwardId: id, rank: i + 1, userId: r.userId, amount: r.amount })),
    })
  }
  const recorded = await deps.auctions.recordResults(auction.id, planned, now, {
    actor: cmd.actor,
    action: 'auction.results_recorded',
    entityType: 'auction',
    entityId: auction.id,
    requestId: cmd.requestId,
    at: now,
    data: { awards: planned.map((p) => ({ award_id: p.award.id, user_id: p.award.userId, amount: p.award.amount })) },
  })
  if (!recorded) return err(bookingErrors.auctionClosed(auction.id))
  for (const { award } of planned) {
    await bestEffort(deps, 'AUCTION_RESULT push', () =>
      deps.events.publish(
        {
          type: 'AUCTION_RESULT',
          auctionId: auction.id,
          userId: award.userId,
          result: resultOf(award, auction),
          awardedNights: award.nights,
          amount: award.amount,
          paymentDeadline: award.paymentDeadline!.toISOString(),
          propertyName: property.name,
        },
        { key: `auction-result:${award.id}` },
      ),
    )
  }
  return ok({ auction: { ...auction, status: 'CLOSED' }, awards: planned.map((p) => p.award) })
}
