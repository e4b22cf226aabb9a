import type { Deps } from '../container.ts'
import { DrizzleUserCartStore } from './adapters/drizzle-user-cart-store.ts'
import { RedisGuestCartStore } from './adapters/redis-guest-cart-store.ts'
import type { CartDeps } from './deps.ts'

/** The carts context's adapters; prices come from the catalog context's repository. */
export function wireCarts(deps: Deps): CartDeps {
  const { db, redis, clock } = deps
  return { guests: new RedisGuestCartStore(redis), users: new DrizzleUserCartStore(db), catalog: deps.catalog.catalog, clock }
}
