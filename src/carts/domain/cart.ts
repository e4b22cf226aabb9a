import type { VariantId } from '../../catalog/domain/variant.ts'
import { MAX_LINE_QUANTITY } from '../../catalog/domain/variant.ts'
import type { Brand } from '../../shared/brand.ts'

/** A guest's cart key: unguessable, issued by POST /cart/session (or any 16-128 url-safe chars). */
export type CartSessionId = Brand<string, 'CartSessionId'>

export interface CartLine {
  readonly variantId: VariantId
  readonly quantity: number
}

export interface GuestCart {
  /** Changes on every write, so "this version of the guest cart" can be merged at most once. */
  readonly revision: string
  readonly lines: readonly CartLine[]
}

/** How many units of a variant a cart line may hold: what can be bought now, at most 99. */
export const lineCap = (available: number, purchasable: boolean): number =>
  purchasable ? Math.max(0, Math.min(available, MAX_LINE_QUANTITY)) : 0

/**
 * Seed 004 §5 step 4: for each guest line, add its quantity to the user's line for the same variant
 * or add it as a new line. What the guest adds is capped so the line never exceeds what can be
 * bought; the user's own quantity is never reduced by a merge. Lines that cannot be bought at all
 * are dropped from what is added. The login merge applies this rule inside one statement
 * (drizzle/0011 cart_merge_guest, a capped upsert per line); this is its specification.
 */
export function mergeLines(user: readonly CartLine[], guest: readonly CartLine[], capOf: (variant: VariantId) => number): CartLine[] {
  const merged = new Map<VariantId, number>(user.map((l) => [l.variantId, l.quantity]))
  for (const g of guest) {
    const current = merged.get(g.variantId) ?? 0
    const room = Math.max(0, capOf(g.variantId) - current)
    const added = Math.min(g.quantity, room)
    if (added > 0) merged.set(g.variantId, current + added)
  }
  return [...merged].map(([variantId, quantity]) => ({ variantId, quantity }))
}
