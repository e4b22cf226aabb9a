import { sql, type SQL } from 'drizzle-orm'
import { variantMap, type VariantSnapshotRow } from '../../db/variant-snapshot.ts'
import type { Variant, VariantId } from '../../catalog/domain/variant.ts'
import type { StockLine } from '../../inventory/domain/reservation.ts'
import type { Db } from '../../platform/db.ts'
import { pgIntArray, pgTextArray } from '../../platform/pg-array.ts'
import { auditJsonb, ts } from '../../platform/unit-of-work-sql.ts'
import type { PricedOrder } from '../domain/pricing.ts'
import type { PlacementRequest } from '../ports.ts'

/** What order_snapshot (drizzle/0011) answers: the lines to order and the variants they name. */
export type SnapshotJson = { lines: Array<{ variant_id: string; quantity: number }>; variants: VariantSnapshotRow[] }

export function parseSnapshot(j: SnapshotJson): { lines: StockLine[]; variants: Map<VariantId, Variant> } {
  return {
    lines: j.lines.map((l) => ({ variantId: l.variant_id as VariantId, quantity: Number(l.quantity) })),
    variants: variantMap(j.variants),
  }
}

/** The SQL arguments naming the lines: `p_user, p_variants, p_quantities` (null arrays: the cart). */
export const linesArgs = (req: PlacementRequest): SQL =>
  req.items
    ? sql`${req.userId}, ${pgTextArray(req.items.map((i) => i.variantId))}::text[], ${pgIntArray(req.items.map((i) => i.quantity))}::integer[]`
    : sql`${req.userId}, null::text[], null::integer[]`

/** One statement: the order awaiting payment, its lines and its audit entry (order_record). */
export async function recordOrder(db: Db, req: PlacementRequest, priced: PricedOrder): Promise<void> {
  const lines = priced.lines.map((l) => ({
    variant_id: l.variantId,
    sku: l.sku,
    name: l.name,
    unit_amount: l.unitPrice.amount,
    quantity: l.quantity,
    line_amount: l.lineTotal.amount,
  }))
  await db.execute(sql`select order_record(${req.orderId}, ${req.userId}, ${priced.total.currency}, ${JSON.stringify(lines)}::jsonb,
    ${ts(req.until)}, ${ts(req.now)}, ${auditJsonb(req.audit)}::jsonb)`)
}
