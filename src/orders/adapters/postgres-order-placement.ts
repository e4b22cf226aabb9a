import { sql } from 'drizzle-orm'
import type { VariantId } from '../../catalog/domain/variant.ts'
import { withDeadlockRetry } from '../../platform/deadlock-retry.ts'
import type { Db } from '../../platform/db.ts'
import type { OrderPlacement, PlacementOutcome, PlacementRequest, PriceOrder } from '../ports.ts'
import { auditJsonb, ts } from '../../platform/unit-of-work-sql.ts'
import { linesArgs, parseSnapshot, type SnapshotJson } from './order-placement-sql.ts'

type PlaceAnswer = SnapshotJson &
  (
    | { outcome: 'refused' }
    | { outcome: 'out_of_stock'; failed_variant: string; available: number | null }
    | { outcome: 'placed'; total: number }
  )

/**
 * With the Postgres inventory lock the whole placement is one statement: order_place (drizzle/0011)
 * reads the lines and variants, checks them with priceOrder's rules, reserves every line or none
 * (the variant rows are locked inside the call only) and records the order, its lines and audit
 * entry. It answers the snapshot it read, and the domain judges that snapshot here: its verdict
 * must match what the function did (a mismatch means the SQL guards and priceOrder drifted apart,
 * and stops the request; an order recorded that way lapses unpaid and the clean-up releases it).
 */
export class PostgresOrderPlacement implements OrderPlacement {
  constructor(private readonly db: Db) {}

  async place(req: PlacementRequest, price: PriceOrder): Promise<PlacementOutcome> {
    // One statement and all or nothing, so a deadlock victim can simply run again.
    const [row] = await withDeadlockRetry(() =>
      this.db.execute<{ out: PlaceAnswer }>(sql`
        select order_place(${req.orderId}, ${linesArgs(req)}, ${ts(req.until)}, ${ts(req.now)}, ${auditJsonb(req.audit)}::jsonb) as out`),
    )
    if (!row) throw new Error('order_place returned no row')
    const out = row.out
    const { lines, variants } = parseSnapshot(out)
    const judged = price(lines, variants)
    const drift = (what: string) =>
      new Error(`order_place ${what} order ${req.orderId}, priceOrder ${judged.ok ? 'accepts' : `refuses (${judged.error.code})`} it`)
    switch (out.outcome) {
      case 'refused':
        if (judged.ok) throw drift('refused')
        return { ok: false, refused: judged.error }
      case 'out_of_stock':
        if (!judged.ok) throw drift('checked')
        return {
          ok: false,
          priced: judged.value,
          outOfStock: { variantId: out.failed_variant as VariantId, available: Number(out.available ?? 0) },
        }
      case 'placed':
        if (!judged.ok || judged.value.total.amount !== Number(out.total)) throw drift(`placed (total ${out.total})`)
        return { ok: true, priced: judged.value }
    }
  }
}
