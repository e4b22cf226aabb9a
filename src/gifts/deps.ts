import type { Clock } from '../shared/clock.ts'
import type { GiftRepository, PinHasher, PinLockout, RedemptionStore, SupplierAccountRepository, SupplierRepository } from './ports.ts'

/** The gifts context's ports, as the container provides them (once per container, not per request). */
export interface GiftDeps {
  readonly gifts: GiftRepository
  readonly redemptions: RedemptionStore
  readonly suppliers: SupplierRepository
  readonly accounts: SupplierAccountRepository
  /** Null when GIFT_PIN_PEPPER is not configured: PIN routes answer 503 GIFT_PIN_PEPPER_MISSING. */
  readonly pins: PinHasher | null
  readonly lockout: PinLockout
  readonly clock: Clock
}
