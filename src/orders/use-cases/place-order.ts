import type { VariantId } from '../../catalog/domain/variant.ts'
import type { StockLine } from '../../inventory/domain/reservation.ts'
import { prefixedId } from '../../shared/ids.ts'
import { money } from '../../shared/money.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { orderErrors, type OrderError } from '../domain/errors.ts'
import type { Order, OrderId, OrderLine } from '../domain/order.ts'
import type { OrderDeps } from './order-deps.ts'

export interface PlaceOrderCommand {
  readonly userId: string
  /** Explicit lines; when absent the user's cart is ordered. */
  readonly items?: readonly StockLine[]
  readonly requestId: string
}

/**
 * Seed 004 §1 steps 1-4: validate, reserve every line for 15 minutes (all or none), create the
 * order awaiting payment. Stock is reserved before the order row exists; if the process dies in
 * between, the orphaned reservations simply lapse and the clean-up returns them.
 */
export async function placeOrder(deps: OrderDeps, cmd: PlaceOrderCommand): Promise<Result<Order, OrderError>> {
  const requested = mergeDuplicates(cmd.items ?? (await deps.carts.lines({ kind: 'user', userId: cmd.userId })))
  if (requested.length === 0) return err(orderErrors.cartEmpty())

  const now = deps.clock.now()
  const variants = await deps.catalog.findVariants(
    requested.map((l) => l.variantId),
    now,
  )
  const lines: OrderLine[] = []
  for (const item of requested) {
    const v = variants.get(item.variantId)
    if (!v) return err(orderErrors.variantNotFound(item.variantId))
    if (!v.purchasable) return err(orderErrors.notPurchasable(item.variantId))
    lines.push({
      variantId: v.id,
      sku: v.sku,
      name: v.name,
      unitPrice: v.price,
      quantity: item.quantity,
      lineTotal: money(v.price.amount * item.quantity, v.price.currency),
    })
  }
  const currencies = [...new Set(lines.map((l) => l.unitPrice.currency))]
  if (currencies.length !== 1) return err(orderErrors.currencyMismatch(currencies))

  const orderId = prefixedId('ord', now.getTime()) as OrderId
  const expiresAt = new Date(now.getTime() + deps.reservationTtlMs)
  const held = await deps.inventory.reserve(orderId, requested, expiresAt, now)
  if (!held.ok) {
    const line = lines.find((l) => l.variantId === held.variantId)
    return err(
      orderErrors.outOfStock({
        variant_id: held.variantId,
        sku: line?.sku ?? held.variantId,
        requested: line?.quantity ?? 0,
        available: held.available,
      }),
    )
  }

  const order: Order = {
    id: orderId,
    userId: cmd.userId,
    status: 'awaiting_payment',
    lines,
    total: money(
      lines.reduce((sum, l) => sum + l.lineTotal.amount, 0),
      currencies[0]!,
    ),
    expiresAt,
    createdAt: now,
    updatedAt: now,
  }
  try {
    await deps.orders.create(order, {
      actor: cmd.userId,
      action: 'order.created',
      entityType: 'order',
      entityId: orderId,
      requestId: cmd.requestId,
      at: now,
      data: { total: order.total.amount, currency: order.total.currency, lines: requested.length },
    })
  } catch (e) {
    // Give the stock back now rather than in 15 minutes; if this fails too, expiry still does it.
    await deps.inventory.release(orderId, 'released', deps.clock.now()).catch(() => {})
    throw e
  }
  await deps.reservationCache.put(orderId, requested, expiresAt)
  deps.logger.info('order placed', { order_id: orderId, user_id: cmd.userId, total: order.total.amount, currency: order.total.currency })
  return ok(order)
}

function mergeDuplicates(items: readonly StockLine[]): StockLine[] {
  const byVariant = new Map<VariantId, number>()
  for (const i of items) byVariant.set(i.variantId, (byVariant.get(i.variantId) ?? 0) + i.quantity)
  return [...byVariant].map(([variantId, quantity]) => ({ variantId, quantity }))
}
