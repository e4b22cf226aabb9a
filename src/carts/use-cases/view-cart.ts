import type { Variant, VariantId } from '../../catalog/domain/variant.ts'
import type { Money } from '../../shared/money.ts'
import type { CartLine } from '../domain/cart.ts'
import type { CartEntry, CartOwner } from '../ports.ts'
import type { CartDeps } from '../deps.ts'

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

/** Prices lines whose variants are known, sorted by SKU, with one subtotal per currency. */
export function priceEntries(entries: readonly CartEntry[]): PricedCart {
  const priced: PricedLine[] = []
  const totals = new Map<string, number>()
  for (const { variant, quantity } of entries) {
    const amount = variant.price.amount * quantity
    priced.push({ variant, quantity, lineTotal: { amount, currency: variant.price.currency } })
    totals.set(variant.price.currency, (totals.get(variant.price.currency) ?? 0) + amount)
  }
  priced.sort((a, b) => a.variant.sku.localeCompare(b.variant.sku))
  const subtotals = [...totals].map(([currency, amount]) => ({ amount, currency }) as Money)
  return { lines: priced, subtotals }
}

/** Prices every line from the catalog as it is now; lines whose variant vanished are left out. */
export async function priceLines(deps: CartDeps, lines: readonly CartLine[]): Promise<PricedCart> {
  const variants = await deps.catalog.findVariants(
    lines.map((l) => l.variantId),
    deps.clock.now(),
  )
  const entries: CartEntry[] = []
  for (const l of lines) {
    const variant = variants.get(l.variantId as VariantId)
    if (variant) entries.push({ variant, quantity: l.quantity })
  }
  return priceEntries(entries)
}

/** One read either way: a guest's lines come from Redis, a user's arrive with their variants. */
export async function viewCart(deps: CartDeps, owner: CartOwner): Promise<PricedCart> {
  if (owner.kind === 'user') return priceEntries(await deps.users.view(owner.userId, deps.clock.now()))
  return priceLines(deps, await deps.guests.lines(owner))
}
