import type { Variant, VariantId } from '../catalog/domain/variant.ts'
import type { StockLine } from '../inventory/domain/reservation.ts'
import type { AuditEntry } from '../shared/audit.ts'
import type { Result } from '../shared/result.ts'
import type { OrderError } from './domain/errors.ts'
import type { Order, OrderEvent, OrderId, OrderStatus } from './domain/order.ts'
import type { PricedOrder } from './domain/pricing.ts'

export interface OrderRepository {
  /** Only the owner's order: another user's id is indistinguishable from a missing one. */
  findForUser(id: OrderId, userId: string): Promise<Order | null>
  find(id: OrderId): Promise<Order | null>
  /** Newest first; `before` is the last id of the previous page. */
  listForUser(userId: string, page: { limit: number; before?: OrderId }): Promise<Order[]>
  /**
   * Applies `event` if the order is still in `from` (a guarded update): returns the new status, or
   * null when a concurrent change got there first.
   */
  transition(id: OrderId, from: OrderStatus, event: OrderEvent, audit: AuditEntry): Promise<OrderStatus | null>
  /** Unpaid orders whose reservations have lapsed. */
  findLapsed(now: Date, limit: number): Promise<OrderId[]>
}

export interface PlacementRequest {
  readonly orderId: OrderId
  readonly userId: string
  /** Explicit lines (one per variant); null orders the user's cart. */
  readonly items: readonly StockLine[] | null
  /** When the reservations lapse (the order's expires_at). */
  readonly until: Date
  readonly now: Date
  /** Written with the order; the adapter adds the total, currency and line count to its data. */
  readonly audit: AuditEntry
}

/** The domain's judgement of the lines and their variants as read (priceOrder). */
export type PriceOrder = (lines: readonly StockLine[], variants: ReadonlyMap<VariantId, Variant>) => Result<PricedOrder, OrderError>

export type PlacementOutcome =
  | { readonly ok: true; readonly priced: PricedOrder }
  /** `price` refused the order: nothing was reserved or written. */
  | { readonly ok: false; readonly refused: OrderError }
  /** A line could not be reserved: nothing was reserved or written. */
  | { readonly ok: false; readonly priced: PricedOrder; readonly outOfStock: { readonly variantId: VariantId; readonly available: number } }

/**
 * Places an order all or nothing: reads its lines (the cart's when none are given) and their
 * variants, has `price` judge them, reserves every line and records the order awaiting payment
 * with its lines and audit entry. Adapters differ in how many statements that takes.
 */
export interface OrderPlacement {
  place(req: PlacementRequest, price: PriceOrder): Promise<PlacementOutcome>
}
