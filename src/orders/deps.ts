import type { InventoryLock, ReservationCache, ReservationSweeper } from '../inventory/ports.ts'
import type { Logger } from '../shared/logger.ts'
import type { Clock } from '../shared/clock.ts'
import type { OrderPlacement, OrderRepository } from './ports.ts'

export interface OrderDeps {
  readonly orders: OrderRepository
  readonly placement: OrderPlacement
  /** Releases the stock of cancelled and lapsed orders. */
  readonly inventory: InventoryLock
  readonly sweeper: ReservationSweeper
  readonly reservationCache: ReservationCache
  readonly clock: Clock
  readonly logger: Logger
  /** Seed 004: 15 minutes. */
  readonly reservationTtlMs: number
}

/** Job names of this context (handled at POST /jobs/{name}). Named `inventory.*` for its schedule id. */
export const ORDER_JOBS = {
  expireReservations: 'inventory.expire-reservations',
} as const
