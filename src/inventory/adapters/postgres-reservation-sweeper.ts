import { sql } from 'drizzle-orm'
import type { Db } from '../../platform/db.ts'
import type { ReservationSweeper } from '../ports.ts'
import { withDeadlockRetry } from '../../platform/deadlock-retry.ts'

/**
 * Seed 004 §4 step 8. One statement per batch; SKIP LOCKED lets two sweeps (or a sweep and a
 * payment committing the same rows) run at once without waiting on or double-releasing each other.
 */
export class PostgresReservationSweeper implements ReservationSweeper {
  constructor(private readonly db: Db) {}

  async expireDue(now: Date, limit: number): Promise<{ released: number; orderIds: string[] }> {
    const at = now.toISOString()
    const rows = await withDeadlockRetry(() =>
      this.db.execute<{ order_id: string; released: number }>(sql`
        with due as (
          select order_id, variant_id from reservations
          where status = 'active' and reserved_until <= ${at}::timestamptz
          order by reserved_until limit ${limit}
          for update skip locked
        ), gone as (
          update reservations r set status = 'expired', released_at = ${at}::timestamptz
          from due where r.order_id = due.order_id and r.variant_id = due.variant_id
          returning r.order_id, r.variant_id, r.quantity
        ), per_variant as (
          select variant_id, sum(quantity)::integer as quantity from gone group by variant_id
        ), counted as (
          update product_variants v set reserved = v.reserved - p.quantity, updated_at = ${at}::timestamptz
          from per_variant p where v.id = p.variant_id
          returning v.id
        )
        select order_id, count(*)::integer as released from gone group by order_id`),
    )
    return { released: rows.reduce((n, r) => n + Number(r.released), 0), orderIds: rows.map((r) => r.order_id) }
  }
}
