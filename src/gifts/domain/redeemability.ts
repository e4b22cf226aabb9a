import { err, ok, type Result } from '../../shared/result.ts'
import { giftErrors, type GiftError } from './errors.ts'
import { giftLifecycle, type Gift, type GiftId } from './gift.ts'

/**
 * Step 1 of seed 002: the gift exists, is unused and `now` lies within its validity window.
 * The final word on "unused" is the conditional UPDATE at the end; this check gives the precise
 * reason early and keeps PIN attempts from being spent on a gift that cannot be redeemed.
 */
export function checkRedeemable(giftId: GiftId, gift: Gift | null, now: Date): Result<Gift, GiftError> {
  if (gift === null) return err(giftErrors.notFound(giftId))
  if (!giftLifecycle.can(gift.status, 'redeem')) return err(giftErrors.alreadyUsed(gift.giftId, gift.usedAt))
  if (gift.validFrom !== null && now.getTime() < gift.validFrom.getTime()) {
    return err(giftErrors.notYetValid(gift.giftId, gift.validFrom))
  }
  if (gift.validUntil !== null && now.getTime() >= gift.validUntil.getTime()) {
    return err(giftErrors.expired(gift.giftId, gift.validUntil))
  }
  return ok(gift)
}
