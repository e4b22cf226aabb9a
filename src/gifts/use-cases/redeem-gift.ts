import type { Clock } from '../../shared/clock.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { giftErrors, type GiftError } from '../domain/errors.ts'
import type { Gift, GiftId } from '../domain/gift.ts'
import { checkRedeemable } from '../domain/redeemability.ts'
import type { Supplier } from '../domain/supplier.ts'
import type { GiftRepository, PinHasher, PinLockout, SupplierAccountRepository, SupplierRepository } from '../ports.ts'
import { findSupplierByInvoice } from './find-supplier-by-invoice.ts'

export interface RedeemGiftDeps {
  readonly gifts: GiftRepository
  readonly suppliers: SupplierRepository
  readonly accounts: SupplierAccountRepository
  readonly pins: PinHasher
  readonly lockout: PinLockout
  readonly clock: Clock
}

export interface RedeemGiftCommand {
  readonly giftId: GiftId
  readonly supplierInvoiceNo: string
  readonly pin: string
  /** Who asked: the JWT subject when the device sent one, else the supplier the PIN proves. */
  readonly actor: string | null
  readonly requestId: string
}

export interface Redemption {
  readonly gift: Gift
  readonly supplier: Supplier
}

/** Seed 002, steps 1-4 in order: gift, supplier invoice, PIN (behind the lockout), mark used. */
export async function redeemGift(deps: RedeemGiftDeps, cmd: RedeemGiftCommand): Promise<Result<Redemption, GiftError>> {
  const now = deps.clock.now()

  const gift = checkRedeemable(cmd.giftId, await deps.gifts.findById(cmd.giftId), now)
  if (!gift.ok) return gift

  const supplier = await findSupplierByInvoice(deps, cmd.supplierInvoiceNo)
  if (supplier === null) return err(giftErrors.invoiceNotFound())

  // Reserved before the PIN is checked, so a correct PIN during a lockout is refused too.
  const lock = await deps.lockout.reserve(supplier.supplierCode)
  if (lock.locked) return err(giftErrors.pinLocked(lock.retryAfterSeconds))
  const correct = await pinMatchesAnAccount(deps, supplier, cmd.pin)
  await deps.lockout.settle(supplier.supplierCode, correct)
  if (!correct) return err(giftErrors.invalidPin())

  const usedAt = deps.clock.now()
  const used = await deps.gifts.markUsed({
    giftId: gift.value.giftId,
    usedAt,
    supplierCode: supplier.supplierCode,
    invoiceNo: cmd.supplierInvoiceNo,
    audit: {
      actor: cmd.actor ?? `supplier:${supplier.supplierCode}`,
      action: 'gift.redeemed',
      entityType: 'gift',
      entityId: gift.value.giftId,
      requestId: cmd.requestId,
      at: usedAt,
      data: { supplier_code: supplier.supplierCode, supplier_invoice_no: cmd.supplierInvoiceNo },
    },
  })
  if (used === null) {
    // Lost the race to a concurrent redemption: report what the winner left behind.
    const current = await deps.gifts.findById(cmd.giftId)
    return err(giftErrors.alreadyUsed(cmd.giftId, current?.usedAt ?? null))
  }
  return ok({ gift: used, supplier })
}

/**
 * Verifies against every account of the supplier without stopping at the first match, so the time
 * taken does not reveal which account (if any) a PIN belongs to.
 */
async function pinMatchesAnAccount(deps: RedeemGiftDeps, supplier: Supplier, pin: string): Promise<boolean> {
  const accounts = await deps.accounts.listBySupplierCode(supplier.supplierCode)
  const results = await Promise.all(accounts.map((a) => deps.pins.verify(pin, a.secretHash)))
  return results.includes(true)
}
