import type { VariantId } from '../catalog/domain/variant.ts'
import type { InventoryLock, ReservationCache, ReservationSweeper } from './ports.ts'

/** The inventory context's pieces, as its wiring (wiring.ts) builds them; orders and catalog use them. */
export interface InventoryDeps {
  /** The variants' Durable Objects (INVENTORY_LOCK=durable-object on Workers), else Postgres itself. */
  readonly lock: InventoryLock
  /**
   * True when the lock is Postgres itself: an order then reserves inside its one placement
   * statement; any other lock reserves between a read and the write.
   */
  readonly reservesInPlacement: boolean
  readonly sweeper: ReservationSweeper
  readonly reservationCache: ReservationCache
  /** Tells the lock that stock moved outside it (a restock), so it re-reads. */
  onStockChanged(variantId: VariantId): Promise<void>
}
