import type { Deps } from '../container.ts'
import { DrizzleOrderRepository } from './adapters/drizzle-order-repository.ts'
import { LockedOrderPlacement } from './adapters/locked-order-placement.ts'
import { PostgresOrderPlacement } from './adapters/postgres-order-placement.ts'
import type { OrderDeps } from './deps.ts'

/** The orders context's adapters, over the inventory context's lock, sweeper and cache. */
export function wireOrders(deps: Deps): OrderDeps {
  const { config, db, clock, logger } = deps
  const inventory = deps.inventory
  return {
    orders: new DrizzleOrderRepository(db),
    // The Postgres lock reserves inside the one placement statement; any other lock (the
    // variants' Durable Objects) reserves between a read and the write.
    placement: inventory.reservesInPlacement ? new PostgresOrderPlacement(db) : new LockedOrderPlacement(db, inventory.lock),
    inventory: inventory.lock,
    sweeper: inventory.sweeper,
    reservationCache: inventory.reservationCache,
    clock,
    logger,
    reservationTtlMs: config.RESERVATION_TTL_SECONDS * 1000,
  }
}
