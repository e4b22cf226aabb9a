import type { CatalogRepository } from '../../catalog/ports.ts'
import type { CartStore } from '../../carts/ports.ts'
import type { InventoryLock, ReservationCache, ReservationSweeper } from '../../inventory/ports.ts'
import type { Logger } from '../../shared/logger.ts'
import type { Clock } from '../../shared/clock.ts'
import type { OrderRepository } from '../ports.ts'

export interface OrderDeps {
  readonly orders: OrderRepository
  readonly catalog: Pick<CatalogRepository, 'findVariants'>
  readonly carts: Pick<CartStore, 'lines'>
  readonly inventory: InventoryLock
  readonly sweeper: ReservationSweeper
  readonly reservationCache: ReservationCache
  readonly clock: Clock
  readonly logger: Logger
  /** Seed 004: 15 minutes. */
  readonly reservationTtlMs: number
}
