import type { Deps } from '../container.ts'
import { DrizzleGiftRepository } from './adapters/drizzle-gift-repository.ts'
import { DrizzleRedemptionStore } from './adapters/drizzle-redemption-store.ts'
import { DrizzleSupplierAccountRepository, DrizzleSupplierRepository } from './adapters/drizzle-supplier-repositories.ts'
import { PepperedPinHasher } from './adapters/peppered-pin-hasher.ts'
import { RedisPinLockout } from './adapters/redis-pin-lockout.ts'
import type { GiftDeps } from './deps.ts'

/** The gifts context's adapters, built when a gifts route first asks for them. */
export function wireGifts({ config, db, redis, clock }: Deps): GiftDeps {
  return {
    gifts: new DrizzleGiftRepository(db),
    redemptions: new DrizzleRedemptionStore(db),
    suppliers: new DrizzleSupplierRepository(db),
    accounts: new DrizzleSupplierAccountRepository(db),
    pins: config.GIFT_PIN_PEPPER ? new PepperedPinHasher(config.GIFT_PIN_PEPPER) : null,
    lockout: new RedisPinLockout(redis),
    clock,
  }
}
