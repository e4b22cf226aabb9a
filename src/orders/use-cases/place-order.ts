import type { VariantId } from '../../catalog/domain/variant.ts'
import type { StockLine } from '../../inventory/domain/reservation.ts'
import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { orderErrors, type OrderError } from '../domain/errors.ts'
import type { Order, OrderId } from '../domain/order.ts'
import { priceOrder } from '../domain/pricing.ts'
import type { OrderDeps } from '../deps.ts'

export interface PlaceOrderCommand {
  readonly userId: string
  /** Explicit lines; when absent the user's cart is ordered. */
  readonly items?: readonly StockLine[]
  readonly requestId: string
}

/**
 * Seed 004 §1 steps 1-4: validate, reserve every line for 15 minutes (all or none), create the
 * order awaiting payment. The placement does it as one unit of work (one statement with the
 * Postgres lock; with the Durable Object lock, reservations are made in the variants' objects
 * between a read and the write, and orphaned ones lapse if the process dies in between).
 */
export async function placeOrder(deps: OrderDeps, cmd: PlaceOrderCommand): Promise<Result<Order, OrderError>> {
  const items = cmd.items ? mergeDuplicates(cmd.items) : null
  if (items?.length === 0) return err(orderErrors.cartEmpty())

  const now = deps.clock.now()
  const orderId = prefixedId('ord', now.getTime()) as OrderId
  const expiresAt = new Date(now.getTime() + deps.reservationTtlMs)
  const placed = await deps.placement.place(
    {
      orderId,
      userId: cmd.userId,
      items,
      until: expiresAt,
      now,
      audit: { actor: cmd.userId, action: 'order.created', entityType: 'order', entityId: orderId, requestId: cmd.requestId, at: now },
    },
    priceOrder,
  )
  if (!placed.ok && 'refused' in placed) return err(placed.refused)
  if (!placed.ok) {
    const { variantId, available } = placed.outOfStock
    const line = placed.priced.lines.find((l) => l.variantId === variantId)
    return err(orderErrors.outOfStock({ variant_id: variantId, sku: line?.sku ?? variantId, requested: line?.quantity ?? 0, available }))
  }

  const { lines, total } = placed.priced
  const order: Order = {
    id: orderId,
    userId: cmd.userId,
    status: 'awaiting_payment',
    lines,
    total,
    expiresAt,
    createdAt: now,
    updatedAt: now,
  }
  await deps.reservationCache.put(
    orderId,
    lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity })),
    expiresAt,
  )
  deps.logger.info('order placed', { order_id: orderId, user_id: cmd.userId, total: total.amount, currency: total.currency })
  return ok(order)
}

function mergeDuplicates(items: readonly StockLine[]): StockLine[] {
  const byVariant = new Map<VariantId, number>()
  for (const i of items) byVariant.set(i.variantId, (byVariant.get(i.variantId) ?? 0) + i.quantity)
  return [...byVariant].map(([variantId, quantity]) => ({ variantId, quantity }))
}
