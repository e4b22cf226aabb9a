import type { Clock } from '../../shared/clock.ts'
import type { GiftRepository, PinHasher, PinLockout, RedemptionStore, SupplierAccountRepository, SupplierRepository } from '../ports.ts'

/** The gifts context's ports, as the container provides them (once per container, not per request). */
export interface GiftDeps {
  readonly gifts: GiftRepository
  readonly redemptions: RedemptionStore
  readonly suppliers: SupplierRepository
  readonly accounts: SupplierAccountRepository
  readonly pins: PinHasher
  readonly lockout: PinLockout
  readonly clock: Clock
}
