import type { Variant, VariantId } from '../../catalog/domain/variant.ts'
import type { Money } from '../../shared/money.ts'
import type { CartLine } from '../domain/cart.ts'
import type { CartOwner } from '../ports.ts'
import type { CartDeps } from './cart-deps.ts'

export interface PricedLine {
  readonly variant: Variant
  readonly quantity: number
  readonly lineTotal: Money
}

export interface PricedCart {
  readonly lines: readonly PricedLine[]
  /** One subtotal per currency (a cart may mix them; an order may not). */
  readonly subtotals: readonly Money[]
}

/** Prices every line from the catalog as it is now; lines whose variant vanished are left out. */
export async function priceLines(deps: CartDeps, lines: readonly CartLine[]): Promise<PricedCart> {
  const variants = await deps.catalog.findVariants(
    lines.map((l) => l.variantId),
    deps.clock.now(),
  )
  const priced: PricedLine[] = []
  const totals = new Map<string, number>()
  for (const l of lines) {
    const variant = variants.get(l.variantId as VariantId)
    if (!variant) continue
    const amount = variant.price.amount * l.quantity
    priced.push({ variant, quantity: l.quantity, lineTotal: { amount, currency: variant.price.currency } })
    totals.set(variant.price.currency, (totals.get(variant.price.currency) ?? 0) + amount)
  }
  priced.sort((a, b) => a.variant.sku.localeCompare(b.variant.sku))
  const subtotals = [...totals].map(([currency, amount]) => ({ amount, currency }) as Money)
  return { lines: priced, subtotals }
}

export async function viewCart(deps: CartDeps, owner: CartOwner): Promise<PricedCart> {
  const store = owner.kind === 'guest' ? deps.guests : deps.users
  return priceLines(deps, await store.lines(owner))
}
