import { sql, type SQL } from 'drizzle-orm'
import { pgTextArray } from '../platform/pg-array.ts'
import { money } from '../shared/money.ts'
import type { ProductId, Variant, VariantId } from '../catalog/domain/variant.ts'

/**
 * A row of variant_snapshots (drizzle/0011), as a plain row or inside JSON (to_jsonb): the one
 * definition of a variant's view, shared by catalog reads, cart views and order placement. It sits
 * with the schema, not in one context's adapters, because the SQL function is the three contexts'
 * common read of the variants table.
 */
export type VariantSnapshotRow = {
  id: string
  product_id: string
  sku: string
  name: string
  price_amount: number
  currency: string
  stock: number
  available: number
  version: number
  purchasable: boolean
}

export const variantFromSnapshot = (r: VariantSnapshotRow): Variant => ({
  id: r.id as VariantId,
  productId: r.product_id as ProductId,
  sku: r.sku,
  name: r.name,
  price: money(Number(r.price_amount), r.currency),
  stock: Number(r.stock),
  available: Math.max(0, Number(r.available)),
  version: Number(r.version),
  purchasable: r.purchasable === true,
})

/** The snapshots of the given variants, one read. */
export const variantSnapshotsOf = (ids: readonly string[], now: Date): SQL =>
  sql`select * from variant_snapshots(${now.toISOString()}::timestamptz) s where s.id = any(${pgTextArray(ids)}::text[])`

export const variantMap = (rows: readonly VariantSnapshotRow[]): Map<VariantId, Variant> =>
  new Map(rows.map((r) => [r.id as VariantId, variantFromSnapshot(r)]))
