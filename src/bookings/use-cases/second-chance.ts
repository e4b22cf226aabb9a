import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { awardLifecycle, OFFER_PAYMENT_WINDOW_MS, OFFER_RESPONSE_WINDOW_MS, type Award, type AwardId } from '../domain/auction.ts'
import { bookingErrors, type BookingError } from '../domain/errors.ts'
import { bestEffort, system, type BookingDeps } from '../deps.ts'

type Deps = Pick<BookingDeps, 'auctions' | 'events' | 'clock' | 'logger'>

/** Tries before giving up when concurrent offers keep winning the commit (each retry reads again). */
const OFFER_TRIES = 3

/**
 * Offers the nights of a lapsed, declined or expired claim to the next runner-up and tells them
 * with SECOND_CHANCE_OFFER. One read (root, property, next runner-up), the offer built here, one
 * guarded commit; a concurrent change makes the commit refuse and the offer is read again.
 * Returns the offer, or null when nobody is left (or another claim is live).
 */
export async function offerToNextBidder(
  deps: Deps,
  rootAwardId: AwardId,
  actor: { actor: string; requestId: string },
): Promise<Award | null> {
  for (let attempt = 0; attempt < OFFER_TRIES; attempt++) {
    const next = await deps.auctions.nextOffer(rootAwardId)
    if (!next || next.liveClaim) return null
    const { root, runnerUp: r } = next
    if (!r) {
      deps.logger.info('no runner-up left for a lapsed award', { root_award_id: rootAwardId })
      return null
    }
    const now = deps.clock.now()
    const offer: Award = {
      id: prefixedId('off', now.getTime()) as AwardId,
      auctionId: root.auctionId,
      rootAwardId,
      kind: 'SECOND_CHANCE',
      userId: r.userId,
      nights: root.nights,
      amount: r.amount,
      currency: root.currency,
      status: 'OFFERED',
      paymentDeadline: null,
      responseDeadline: new Date(now.getTime() + OFFER_RESPONSE_WINDOW_MS),
      createdAt: now,
      updatedAt: now,
    }
    const audit = {
      ...actor,
      action: 'award.offered',
      entityType: 'award',
      entityId: offer.id,
      at: now,
      data: { root_award_id: rootAwardId },
    }
    if (!(await deps.auctions.commitOffer(offer, r.rank, audit))) continue
    await bestEffort(deps, 'SECOND_CHANCE_OFFER push', () =>
      deps.events.publish(
        {
          type: 'SECOND_CHANCE_OFFER',
          offerId: offer.id,
          auctionId: offer.auctionId,
          userId: offer.userId,
          offeredNights: offer.nights,
          amount: offer.amount,
          responseDeadline: offer.responseDeadline!.toISOString(),
          propertyName: next.propertyName,
        },
        { key: `second-chance-offer:${offer.id}` },
      ),
    )
    return offer
  }
  deps.logger.warn('second-chance offer kept losing to concurrent changes; the sweep retries', { root_award_id: rootAwardId })
  return null
}

/**
 * The scheduled sweep: winners (and accepted offers) past their payment deadline with no payment
 * open or made lapse; offers nobody answered expire. Either way the next bidder gets an offer.
 */
export async function lapseOverdueAwards(
  deps: Deps,
  opts: { limit?: number } = {},
): Promise<{ lapsed: number; expired: number; offered: number }> {
  const now = deps.clock.now()
  const who = system('award-expiry', now)
  let lapsed = 0
  let expired = 0
  let offered = 0
  for (const award of await deps.auctions.findOverdue(now, opts.limit ?? 100)) {
    const audit = { ...who, entityType: 'award', entityId: award.id }
    const moved =
      award.status === 'AWARDED'
        ? await deps.auctions.lapseUnpaid(award.id, { ...audit, action: 'award.lapsed' })
        : await deps.auctions.transition(award.id, 'OFFERED', 'expire', {}, { ...audit, action: 'award.expired' })
    if (!moved) continue
    if (moved.status === 'LAPSED') lapsed++
    else expired++
    if (await offerToNextBidder(deps, award.rootAwardId, who)) offered++
  }
  return { lapsed, expired, offered }
}

/** An admin's decision that a winner will not pay: lapse now (if nothing is paid or being paid). */
export async function lapseAwardNow(
  deps: Deps,
  cmd: { awardId: string; actor: string; requestId: string },
): Promise<Result<{ lapsed: Award; offer: Award | null }, BookingError>> {
  const now = deps.clock.now()
  const award = await deps.auctions.findAward(cmd.awardId as AwardId)
  if (!award) return err(bookingErrors.awardIdNotFound(cmd.awardId))
  if (award.status !== 'AWARDED') return err(bookingErrors.awardNotPayable(award.status))
  const lapsed = await deps.auctions.lapseUnpaid(award.id, {
    actor: cmd.actor,
    requestId: cmd.requestId,
    at: now,
    action: 'award.lapsed',
    entityType: 'award',
    entityId: award.id,
  })
  if (!lapsed) return err(bookingErrors.sessionBusy(award.id))
  const offer = await offerToNextBidder(deps, award.rootAwardId, { actor: cmd.actor, requestId: cmd.requestId })
  return ok({ lapsed, offer })
}

/** The offered user accepts: the claim becomes payable until now + OFFER_PAYMENT_WINDOW_MS. */
export async function acceptOffer(
  deps: Deps,
  cmd: { offerId: string; userId: string; requestId: string },
): Promise<Result<Award, BookingError>> {
  const now = deps.clock.now()
  const offer = await deps.auctions.findAward(cmd.offerId as AwardId)
  if (offer?.kind !== 'SECOND_CHANCE' || offer.userId !== cmd.userId) return err(bookingErrors.offerNotFound(cmd.offerId))
  if (offer.status === 'AWARDED') return ok(offer)
  if (!awardLifecycle.can(offer.status, 'accept')) return err(bookingErrors.offerNotOpen(offer.id, offer.status))
  if (offer.responseDeadline && offer.responseDeadline.getTime() <= now.getTime())
    return err(bookingErrors.offerNotOpen(offer.id, 'EXPIRED'))
  const moved = await deps.auctions.transition(
    offer.id,
    'OFFERED',
    'accept',
    { paymentDeadline: new Date(now.getTime() + OFFER_PAYMENT_WINDOW_MS) },
    { actor: cmd.userId, action: 'award.accepted', entityType: 'award', entityId: offer.id, requestId: cmd.requestId, at: now },
  )
  if (!moved) {
    const current = await deps.auctions.findAward(offer.id)
    return current?.status === 'AWARDED' ? ok(current) : err(bookingErrors.offerNotOpen(offer.id, current?.status ?? offer.status))
  }
  return ok(moved)
}

/** The offered user declines: the next bidder is asked at once. */
export async function declineOffer(
  deps: Deps,
  cmd: { offerId: string; userId: string; requestId: string },
): Promise<Result<Award, BookingError>> {
  const now = deps.clock.now()
  const offer = await deps.auctions.findAward(cmd.offerId as AwardId)
  if (offer?.kind !== 'SECOND_CHANCE' || offer.userId !== cmd.userId) return err(bookingErrors.offerNotFound(cmd.offerId))
  if (offer.status === 'DECLINED') return ok(offer)
  if (!awardLifecycle.can(offer.status, 'decline')) return err(bookingErrors.offerNotOpen(offer.id, offer.status))
  const moved = await deps.auctions.transition(
    offer.id,
    'OFFERED',
    'decline',
    {},
    {
      actor: cmd.userId,
      action: 'award.declined',
      entityType: 'award',
      entityId: offer.id,
      requestId: cmd.requestId,
      at: now,
    },
  )
  if (!moved) return err(bookingErrors.offerNotOpen(offer.id, (await deps.auctions.findAward(offer.id))?.status ?? offer.status))
  await offerToNextBidder(deps, offer.rootAwardId, { actor: cmd.userId, requestId: cmd.requestId })
  return ok(moved)
}
