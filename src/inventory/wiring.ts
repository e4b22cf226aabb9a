import type { Deps } from '../container.ts'
import { PostgresInventoryLock } from './adapters/postgres-inventory-lock.ts'
import { PostgresReservationSweeper } from './adapters/postgres-reservation-sweeper.ts'
import { RedisReservationCache } from './adapters/redis-reservation-cache.ts'
import type { InventoryDeps } from './deps.ts'

/** The inventory lock the configuration and the runtime allow (Durable Objects or Postgres). */
export function wireInventory({ config, db, redis, logger, runtime }: Deps): InventoryDeps {
  const lock =
    config.INVENTORY_LOCK === 'durable-object' && runtime.inventoryLock ? runtime.inventoryLock(db) : new PostgresInventoryLock(db)
  return {
    lock,
    reservesInPlacement: lock instanceof PostgresInventoryLock,
    sweeper: new PostgresReservationSweeper(db),
    reservationCache: new RedisReservationCache(redis, logger),
    onStockChanged: async (variantId) => {
      if ('onStockChanged' in lock && typeof lock.onStockChanged === 'function') await lock.onStockChanged(variantId)
    },
  }
}
