import type { Variant, VariantId } from '../catalog/domain/variant.ts'
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

/** A cart line with its variant as the catalog has it now. */
export interface CartEntry {
  readonly variant: Variant
  readonly quantity: number
}

export interface GuestCartStore extends CartStore {
  get(sessionId: CartSessionId): Promise<GuestCart | null>
  /** Deletes the guest cart if it is still at `revision` (a write after the read keeps it). */
  deleteIfUnchanged(sessionId: CartSessionId, revision: string): Promise<void>
}

export interface UserCartStore extends CartStore {
  /** The user's lines with their variants, in one read (lines whose variant vanished are left out). */
  view(userId: string, now: Date): Promise<CartEntry[]>
  /**
   * Merges the guest lines into the user's as `mergeLines` (domain/cart.ts) specifies, with line
   * caps from the variants as they are now and at most `maxLine` units, once per (session,
   * revision): a retried or concurrent merge of the same guest cart revision changes nothing and
   * answers merged false. Answers the user's cart after it, like `view`.
   */
  mergeGuest(
    userId: string,
    guest: { sessionId: CartSessionId; revision: string; lines: readonly CartLine[] },
    maxLine: number,
    now: Date,
  ): Promise<{ merged: boolean; entries: CartEntry[] }>
}
