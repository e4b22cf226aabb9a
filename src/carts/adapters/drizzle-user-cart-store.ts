import { and, eq, sql } from 'drizzle-orm'
import type { VariantId } from '../../catalog/domain/variant.ts'
import { cartItems, cartMerges } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import type { CartLine, CartSessionId } from '../domain/cart.ts'
import type { CartOwner, UserCartStore } from '../ports.ts'

const userOf = (owner: CartOwner): string => {
  if (owner.kind !== 'user') throw new Error('DrizzleUserCartStore only holds user carts')
  return owner.userId
}

/** A user's cart lives in Postgres (it must survive devices and sessions). */
export class DrizzleUserCartStore implements UserCartStore {
  constructor(private readonly db: Db) {}

  async lines(owner: CartOwner): Promise<CartLine[]> {
    const rows = await this.db
      .select({ variantId: cartItems.variantId, quantity: cartItems.quantity })
      .from(cartItems)
      .where(eq(cartItems.userId, userOf(owner)))
    return rows.map((r) => ({ variantId: r.variantId as VariantId, quantity: r.quantity }))
  }

  async add(owner: CartOwner, variantId: VariantId, quantity: number, cap: number): Promise<number> {
    const [row] = await this.db
      .insert(cartItems)
      .values({ userId: userOf(owner), variantId, quantity: Math.min(quantity, cap) })
      .onConflictDoUpdate({
        target: [cartItems.userId, cartItems.variantId],
        set: { quantity: sql`least(${cartItems.quantity} + ${quantity}, ${cap})`, updatedAt: sql`now()` },
      })
      .returning({ quantity: cartItems.quantity })
    return row?.quantity ?? 0
  }

  async set(owner: CartOwner, variantId: VariantId, quantity: number): Promise<void> {
    if (quantity <= 0) return this.remove(owner, variantId)
    await this.db
      .insert(cartItems)
      .values({ userId: userOf(owner), variantId, quantity })
      .onConflictDoUpdate({ target: [cartItems.userId, cartItems.variantId], set: { quantity, updatedAt: sql`now()` } })
  }

  async remove(owner: CartOwner, variantId: VariantId): Promise<void> {
    await this.db.delete(cartItems).where(and(eq(cartItems.userId, userOf(owner)), eq(cartItems.variantId, variantId)))
  }

  async mergeOnce(
    userId: string,
    guest: { sessionId: CartSessionId; revision: string },
    merge: (userLines: readonly CartLine[]) => CartLine[],
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // A concurrent merge of the same revision waits here on the primary key, then finds it taken.
      const claimed = await tx
        .insert(cartMerges)
        .values({ sessionId: guest.sessionId, revision: guest.revision, userId })
        .onConflictDoNothing()
        .returning({ sessionId: cartMerges.sessionId })
      if (claimed.length === 0) return false
      const current = await tx
        .select({ variantId: cartItems.variantId, quantity: cartItems.quantity })
        .from(cartItems)
        .where(eq(cartItems.userId, userId))
        .for('update')
      const merged = merge(current.map((r) => ({ variantId: r.variantId as VariantId, quantity: r.quantity })))
      for (const line of merged) {
        await tx
          .insert(cartItems)
          .values({ userId, variantId: line.variantId, quantity: line.quantity })
          .onConflictDoUpdate({
            target: [cartItems.userId, cartItems.variantId],
            set: { quantity: line.quantity, updatedAt: sql`now()` },
          })
      }
      return true
    })
  }
}
