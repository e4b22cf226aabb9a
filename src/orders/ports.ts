import type { AuditEntry } from '../shared/audit.ts'
import type { Order, OrderEvent, OrderId, OrderStatus } from './domain/order.ts'

export interface OrderRepository {
  create(order: Order, audit: AuditEntry): Promise<void>
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
