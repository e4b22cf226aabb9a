import { sql } from 'drizzle-orm'
import type { VariantId } from '../../catalog/domain/variant.ts'
import type { Tx } from '../../platform/db.ts'
import type { CommitOutcome, ReservationStatus, StockLine } from '../domain/reservation.ts'
import { reservationLifecycle } from '../domain/reservation.ts'
import type { StockCommitter } from '../ports.ts'

const MAX_VERSION_RETRIES = 10

class InsufficientStock extends Error {
  constructor(
    readonly variantId: VariantId,
    readonly available: number,
  ) {
    super(`insufficient stock for ${variantId}`)
  }
}

/**
 * Seed 004 §4 step 5, bound to the caller's transaction: `stock = stock - qty, version = version + 1
 * WHERE version = ?`, retried when another writer moved the version. The order's reservation rows
 * are locked first, so a concurrent release or expiry waits and then finds them committed. Runs in
 * a savepoint: when a line cannot be committed, none is, and the caller's transaction stays usable.
 */
export class PostgresStockCommitter implements StockCommitter {
  constructor(private readonly tx: Tx) {}

  async commit(orderId: string, now: Date): Promise<CommitOutcome> {
    try {
      return await this.tx.transaction(async (sp) => {
        const held = await sp.execute<{ variant_id: string; quantity: number; status: ReservationStatus }>(
          sql`select variant_id, quantity, status from reservations where order_id = ${orderId} order by variant_id for update`,
        )
        if (held.length === 0) return { ok: false, reason: 'no_reservations' } as const
        const committed: StockLine[] = []
        const reactivated: VariantId[] = []
        for (const r of held) {
          const line = { variantId: r.variant_id as VariantId, quantity: Number(r.quantity) }
          committed.push(line)
          if (r.status === 'committed') continue
          const late = reservationLifecycle.can(r.status, 'reactivate')
          await commitLine(sp, line, late)
          if (late) reactivated.push(line.variantId)
          await sp.execute(sql`
            update reservations set status = 'committed', released_at = ${now.toISOString()}::timestamptz
            where order_id = ${orderId} and variant_id = ${line.variantId}`)
        }
        return {
          ok: true,
          committed,
          reactivated,
          alreadyCommitted: held.every((r) => r.status === 'committed'),
        } as const
      })
    } catch (e) {
      if (e instanceof InsufficientStock) {
        return { ok: false, reason: 'insufficient_stock', variantId: e.variantId, available: e.available }
      }
      throw e
    }
  }
}

/**
 * An active reservation already holds its units: they move from reserved to sold. A late one
 * (expired or released) holds nothing, so it may only take units nobody else holds.
 */
async function commitLine(sp: Tx, line: StockLine, late: boolean): Promise<void> {
  for (let attempt = 1; attempt <= MAX_VERSION_RETRIES; attempt++) {
    const [v] = await sp.execute<{ stock: number; reserved: number; version: number }>(
      sql`select stock, reserved, version from product_variants where id = ${line.variantId}`,
    )
    if (!v) throw new Error(`variant ${line.variantId} missing for a reservation`)
    if (late && v.stock - v.reserved < line.quantity) throw new InsufficientStock(line.variantId, Math.max(0, v.stock - v.reserved))
    const updated = late
      ? await sp.execute(sql`
          update product_variants set stock = stock - ${line.quantity}, version = version + 1, updated_at = now()
          where id = ${line.variantId} and version = ${v.version} and stock - reserved >= ${line.quantity}
          returning id`)
      : await sp.execute(sql`
          update product_variants
          set stock = stock - ${line.quantity}, reserved = reserved - ${line.quantity}, version = version + 1, updated_at = now()
          where id = ${line.variantId} and version = ${v.version}
          returning id`)
    if (updated.length === 1) return
  }
  throw new Error(`variant ${line.variantId}: version kept moving after ${MAX_VERSION_RETRIES} attempts`)
}
