import { sql } from 'drizzle-orm'
import type { VariantId } from '../../catalog/domain/variant.ts'
import type { Db } from '../../platform/db.ts'
import { pgIntArray, pgTextArray } from '../../platform/pg-array.ts'
import type { ReserveOutcome, StockLine } from '../domain/reservation.ts'
import type { InventoryLock } from '../ports.ts'
import { withDeadlockRetry } from '../../platform/deadlock-retry.ts'

/**
 * The Postgres-only lock: each reservation is one call of inventory_reserve (drizzle/0002), which
 * locks the order's variant rows with SELECT ... FOR UPDATE inside the database, releases expired
 * reservations, checks and reserves every line or none, all in one round trip.
 */
export class PostgresInventoryLock implements InventoryLock {
  constructor(private readonly db: Db) {}

  async reserve(orderId: string, lines: readonly StockLine[], until: Date, now: Date): Promise<ReserveOutcome> {
    return reserveInPostgres(this.db, orderId, lines, until, now)
  }

  async release(orderId: string, reason: 'released' | 'expired', now: Date): Promise<number> {
    return releaseInPostgres(this.db, orderId, reason, now)
  }
}

export async function reserveInPostgres(
  db: Db,
  orderId: string,
  lines: readonly StockLine[],
  until: Date,
  now: Date,
): Promise<ReserveOutcome> {
  const variants = lines.map((l) => l.variantId)
  const quantities = lines.map((l) => l.quantity)
  const rows = await withDeadlockRetry(() =>
    db.execute<{ reserved: boolean; failed_variant: string | null; available: number | null }>(
      sql`select * from inventory_reserve(${orderId}, ${pgTextArray(variants)}::text[], ${pgIntArray(quantities)}::integer[], ${until.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)`,
    ),
  )
  const row = rows[0]
  if (!row) throw new Error('inventory_reserve returned no row')
  if (row.reserved) return { ok: true }
  return { ok: false, variantId: row.failed_variant as VariantId, available: Number(row.available ?? 0) }
}

/** One statement: the order's active reservations leave, and their variants' counts follow. */
export async function releaseInPostgres(db: Db, orderId: string, reason: 'released' | 'expired', now: Date): Promise<number> {
  const rows = await withDeadlockRetry(() =>
    db.execute<{ variant_id: string }>(sql`
      with gone as (
        update reservations set status = ${reason}, released_at = ${now.toISOString()}::timestamptz
        where order_id = ${orderId} and status = 'active'
        returning variant_id, quantity
      )
      update product_variants v set reserved = v.reserved - gone.quantity, updated_at = ${now.toISOString()}::timestamptz
      from gone where v.id = gone.variant_id
      returning v.id as variant_id`),
  )
  return rows.length
}
