import type { Defer } from '../../shared/defer.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { giftErrors, type GiftError } from '../domain/errors.ts'
import { redeemed, type Gift, type GiftId } from '../domain/gift.ts'
import { checkRedeemable } from '../domain/redeemability.ts'
import type { Supplier } from '../domain/supplier.ts'
import type { PinHasher } from '../ports.ts'
import type { GiftDeps } from '../deps.ts'

export type RedeemGiftDeps = Pick<GiftDeps, 'gifts' | 'redemptions' | 'lockout' | 'clock'> & {
  readonly pins: PinHasher
  /** The request's deferred work: the lockout's bookkeeping that cannot change the answer. */
  readonly defer: Defer
}

export interface RedeemGiftCommand {
  readonly giftId: GiftId
  readonly supplierInvoiceNo: string
  readonly pin: string
  /** Who asked: the JWT subject when the device sent one, else the supplier the PIN proves. */
  readonly actor: string | null
  /** Whose wrong PINs count together for the lockout: `user:<sub>` with a token, else `ip:<address>`. */
  readonly caller: string
  readonly requestId: string
}

export interface Redemption {
  readonly gift: Gift
  readonly supplier: Supplier
}

/**
 * Seed 002, steps 1-4 in order: gift, supplier invoice, PIN (behind the lockout), mark used.
 * Postgres sees two statements (one read of everything the checks need, one guarded write) and
 * Redis one call before the answer on success (issue 13). A PIN still stored in an old form adds
 * one statement after the answer, once: its rewrite into the current form.
 */
export async function redeemGift(deps: RedeemGiftDeps, cmd: RedeemGiftCommand): Promise<Result<Redemption, GiftError>> {
  const now = deps.clock.now()
  const snapshot = await deps.redemptions.load(cmd.giftId, cmd.supplierInvoiceNo)

  const gift = checkRedeemable(cmd.giftId, snapshot.gift, now)
  if (!gift.ok) return gift
  const supplier = snapshot.supplier
  if (supplier === null) return err(giftErrors.invoiceNotFound())

  // Reserved before the PIN is checked, so a correct PIN during a lockout is refused too.
  const attempt = { supplierCode: supplier.supplierCode, caller: cmd.caller }
  const lock = await deps.lockout.reserve(attempt)
  if (lock.locked) return err(giftErrors.pinLocked(lock.retryAfterSeconds, lock.scope))
  const pin = await deps.pins.check(supplier.supplierCode, cmd.pin, snapshot.pins)
  if (!pin.matched) {
    // Counted BEFORE the answer: a guesser must never learn a PIN was wrong while the failure is
    // not yet counted, or sequential guesses could outrun the limit (and a lost deferred count
    // would be a free guess). Only wrong PINs pay this second Redis call.
    await deps.lockout.settle(attempt, false)
    return err(giftErrors.invalidPin())
  }

  try {
    return await markUsed(deps, cmd, gift.value, supplier)
  } finally {
    if (pin.stale.length > 0) {
      // A PIN verified in an old form is rewritten in the current one: bookkeeping the answer does
      // not depend on (lost, it is simply done on the next use), after the guarded write.
      const { stale } = pin
      deps.defer('gifts.pin.upgrade', async () => deps.redemptions.upgradePins(stale, await deps.pins.hash(supplier.supplierCode, cmd.pin)))
    }
    // Releasing a correct attempt's in-flight slot cannot change this answer, so the caller does
    // not wait for it. Until it lands the slot only makes the lockout stricter; a lost release
    // (logged by the Defer) expires with the in-flight key's TTL.
    deps.defer('gifts.pin-attempt.release', () => deps.lockout.settle(attempt, true))
  }
}

async function markUsed(
  deps: RedeemGiftDeps,
  cmd: RedeemGiftCommand,
  gift: Gift,
  supplier: Supplier,
): Promise<Result<Redemption, GiftError>> {
  const use = { usedAt: deps.clock.now(), supplierCode: supplier.supplierCode, invoiceNo: cmd.supplierInvoiceNo }
  const marked = await deps.redemptions.markUsed({
    giftId: gift.giftId,
    use,
    audit: {
      actor: cmd.actor ?? `supplier:${supplier.supplierCode}`,
      action: 'gift.redeemed',
      entityType: 'gift',
      entityId: gift.giftId,
      requestId: cmd.requestId,
      at: use.usedAt,
      data: { supplier_code: supplier.supplierCode, supplier_invoice_no: cmd.supplierInvoiceNo },
    },
  })
  if (!marked) {
    // Lost the race to a concurrent redemption: report what the winner left behind.
    const current = await deps.gifts.findById(cmd.giftId)
    return err(giftErrors.alreadyUsed(cmd.giftId, current?.usedAt ?? null))
  }
  return ok({ gift: redeemed(gift, use), supplier })
}
