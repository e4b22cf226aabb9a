import type { VariantId } from '../catalog/domain/variant.ts'
import type { CartLine, CartSessionId, GuestCart } from './domain/cart.ts'

/** A cart is addressed either by its guest session or by its user. */
export type CartOwner = { readonly kind: 'guest'; readonly sessionId: CartSessionId } | { readonly kind: 'user'; readonly userId: string }

export interface CartStore {
  lines(owner: CartOwner): Promise<CartLine[]>
  /** Adds to the line atomically, never beyond `cap`; returns the line's new quantity. */
  add(owner: CartOwner, variantId: VariantId, quantity: number, cap: number): Promise<number>
  /** Sets the line's quantity; 0 removes it. */
  set(owner: CartOwner, variantId: VariantId, quantity: number): Promise<void>
  remove(owner: CartOwner, variantId: VariantId): Promise<void>
}

export interface GuestCartStore extends CartStore {
  get(sessionId: CartSessionId): Promise<GuestCart | null>
  /** Deletes the guest cart if it is still at `revision` (a write after the read keeps it). */
  deleteIfUnchanged(sessionId: CartSessionId, revision: string): Promise<void>
}

export interface UserCartStore extends CartStore {
  /**
   * Applies `merge` to the user's lines and saves the result, once per (session, revision): a
   * retried or concurrent merge of the same guest cart revision changes nothing and returns false.
   */
  mergeOnce(
    userId: string,
    guest: { sessionId: CartSessionId; revision: string },
    merge: (userLines: readonly CartLine[]) => CartLine[],
  ): Promise<boolean>
}
