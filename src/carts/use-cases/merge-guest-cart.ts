import type { VariantId } from '../../catalog/domain/variant.ts'
import { lineCap, mergeLines, type CartSessionId } from '../domain/cart.ts'
import type { CartDeps } from './cart-deps.ts'
import { viewCart, type PricedCart } from './view-cart.ts'

/**
 * Seed 004 §5, run when a user logs in with a guest session: merge the guest cart into the user's,
 * save it, delete the guest cart, answer the merged cart. The merge is keyed by the guest cart's
 * revision, so retrying the login or two logins racing with the same session apply it once.
 */
export async function mergeGuestCart(
  deps: CartDeps,
  userId: string,
  sessionId: CartSessionId,
): Promise<{ cart: PricedCart; merged: boolean }> {
  const guest = await deps.guests.get(sessionId)
  let merged = false
  if (guest && guest.lines.length > 0) {
    const variants = await deps.catalog.findVariants(
      guest.lines.map((l) => l.variantId),
      deps.clock.now(),
    )
    const capOf = (id: VariantId) => {
      const v = variants.get(id)
      return v ? lineCap(v.available, v.purchasable) : 0
    }
    merged = await deps.users.mergeOnce(userId, { sessionId, revision: guest.revision }, (userLines) =>
      mergeLines(userLines, guest.lines, capOf),
    )
  }
  if (guest) await deps.guests.deleteIfUnchanged(sessionId, guest.revision)
  return { cart: await viewCart(deps, { kind: 'user', userId }), merged }
}
