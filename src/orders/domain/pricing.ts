import type { Variant, VariantId } from '../../catalog/domain/variant.ts'
import type { StockLine } from '../../inventory/domain/reservation.ts'
import { money, type Money } from '../../shared/money.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { orderErrors, type OrderError } from './errors.ts'
import type { OrderLine } from './order.ts'

export interface PricedOrder {
  readonly lines: readonly OrderLine[]
  readonly total: Money
}

/**
 * Seed 004 §1 steps 1-2: an order has at least one line, every variant exists and is on sale, all
 * lines share one currency, and each line is priced at the variant's current price. The one-call
 * placement (drizzle/0011 order_place) applies these rules as guards; its adapter runs this on the
 * same snapshot and stops if the two ever disagree.
 */
export function priceOrder(requested: readonly StockLine[], variants: ReadonlyMap<VariantId, Variant>): Result<PricedOrder, OrderError> {
  if (requested.length === 0) return err(orderErrors.cartEmpty())
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
  return ok({
    lines,
    total: money(
      lines.reduce((sum, l) => sum + l.lineTotal.amount, 0),
      currencies[0]!,
    ),
  })
}
