import { MAX_LINE_QUANTITY } from '../../catalog/domain/variant.ts'
import type { CartSessionId } from '../domain/cart.ts'
import type { CartDeps } from '../deps.ts'
import { priceEntries, type PricedCart } from './view-cart.ts'

/**
 * Seed 004 §5, run when a user logs in with a guest session: merge the guest cart into the user's,
 * save it, delete the guest cart, answer the merged cart. The merge is keyed by the guest cart's
 * revision, so retrying the login or two logins racing with the same session apply it once.
 * Postgres sees one statement: the merge answers the cart it leaves (or, with nothing to merge,
 * the cart is read once).
 */
export async function mergeGuestCart(
  deps: CartDeps,
  userId: string,
  sessionId: CartSessionId,
): Promise<{ cart: PricedCart; merged: boolean }> {
  const guest = await deps.guests.get(sessionId)
  const now = deps.clock.now()
  const { merged, entries } =
    guest && guest.lines.length > 0
      ? await deps.users.mergeGuest(userId, { sessionId, revision: guest.revision, lines: guest.lines }, MAX_LINE_QUANTITY, now)
      : { merged: false, entries: await deps.users.view(userId, now) }
  if (guest) await deps.guests.deleteIfUnchanged(sessionId, guest.revision)
  return { cart: priceEntries(entries), merged }
}
