import { and, eq, sql } from 'drizzle-orm'
import type { VariantId } from '../../catalog/domain/variant.ts'
import { variantFromSnapshot, type VariantSnapshotRow } from '../../db/variant-snapshot.ts'
import { cartItems } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import { pgIntArray, pgTextArray } from '../../platform/pg-array.ts'
import type { CartLine, CartSessionId } from '../domain/cart.ts'
import type { CartEntry, CartOwner, UserCartStore } from '../ports.ts'

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

  async view(userId: string, now: Date): Promise<CartEntry[]> {
    const [row] = await this.db.execute<{ lines: EntryRow[] }>(sql`select cart_view(${userId}, ${now.toISOString()}::timestamptz) as lines`)
    return toEntries(row?.lines ?? [])
  }

  /** One call of cart_merge_guest (drizzle/0011): the claim, the capped upserts and the cart after. */
  async mergeGuest(
    userId: string,
    guest: { sessionId: CartSessionId; revision: string; lines: readonly CartLine[] },
    maxLine: number,
    now: Date,
  ): Promise<{ merged: boolean; entries: CartEntry[] }> {
    const [row] = await this.db.execute<{ out: { merged: boolean; lines: EntryRow[] } }>(sql`
      select cart_merge_guest(${userId}, ${guest.sessionId}, ${guest.revision},
        ${pgTextArray(guest.lines.map((l) => l.variantId))}::text[], ${pgIntArray(guest.lines.map((l) => l.quantity))}::integer[],
        ${maxLine}::integer, ${now.toISOString()}::timestamptz) as out`)
    if (!row) throw new Error('cart_merge_guest returned no row')
    return { merged: row.out.merged === true, entries: toEntries(row.out.lines) }
  }
}

type EntryRow = { quantity: number; variant: VariantSnapshotRow }

const toEntries = (rows: readonly EntryRow[]): CartEntry[] =>
  rows.map((r) => ({ quantity: Number(r.quantity), variant: variantFromSnapshot(r.variant) }))
