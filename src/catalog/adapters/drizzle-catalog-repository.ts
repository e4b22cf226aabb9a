import { and, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { auditLog, products, productVariants } from '../../db/schema.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Db } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import type { Product, ProductId, ProductStatus, Variant, VariantId } from '../domain/variant.ts'
import { variantFromSnapshot, variantMap, variantSnapshotsOf, type VariantSnapshotRow } from '../../db/variant-snapshot.ts'
import type { CatalogRepository, NewVariant, ProductPatch, StockChange, VariantPatch } from '../ports.ts'

type ProductRow = { id: string; name: string; description: string; status: ProductStatus; variants: VariantSnapshotRow[] }

const toProduct = (r: ProductRow): Product => ({
  id: r.id as ProductId,
  name: r.name,
  description: r.description,
  status: r.status,
  variants: r.variants.map(variantFromSnapshot),
})

/** Products with their variants (by SKU) in one statement; `where` filters the products. */
const productsWith = (now: Date, where: SQL) => sql`
  select p.id, p.name, p.description, p.status, coalesce((
    select jsonb_agg(to_jsonb(s) order by s.sku) from variant_snapshots(${now.toISOString()}::timestamptz) s where s.product_id = p.id
  ), '[]'::jsonb) as variants
  from products p ${where}`

export class DrizzleCatalogRepository implements CatalogRepository {
  constructor(private readonly db: Db) {}

  async createProduct(
    input: { id: ProductId; name: string; description: string; variants: readonly NewVariant[] },
    audit: AuditEntry,
  ): Promise<{ product: Product } | { skusTaken: string[] }> {
    const skus = input.variants.map((v) => v.sku)
    const taken = await this.db
      .transaction(async (tx) => {
        const existing = await tx.select({ sku: productVariants.sku }).from(productVariants).where(inArray(productVariants.sku, skus))
        if (existing.length > 0) return existing.map((e) => e.sku)
        await tx.insert(products).values({ id: input.id, name: input.name, description: input.description })
        const inserted = await tx
          .insert(productVariants)
          .values(input.variants.map((v) => ({ ...v, productId: input.id })))
          .onConflictDoNothing({ target: productVariants.sku })
          .returning({ sku: productVariants.sku })
        if (inserted.length !== input.variants.length) {
          // A concurrent create took one of the SKUs between the check and the insert.
          tx.rollback()
        }
        await tx.insert(auditLog).values(auditRow(audit))
        return []
      })
      .catch(async (e: unknown) => {
        if (e instanceof Error && e.name === 'TransactionRollbackError') {
          const existing = await this.db
            .select({ sku: productVariants.sku })
            .from(productVariants)
            .where(inArray(productVariants.sku, skus))
          return existing.map((x) => x.sku)
        }
        throw e
      })
    if (taken.length > 0) return { skusTaken: taken }
    const product = await this.findProduct(input.id, audit.at)
    if (!product) throw new Error(`product ${input.id} vanished after insert`)
    return { product }
  }

  async findProduct(id: ProductId, now: Date): Promise<Product | null> {
    const [row] = await this.db.execute<ProductRow>(productsWith(now, sql`where p.id = ${id}`))
    return row ? toProduct(row) : null
  }

  async listProducts(page: { limit: number; after?: ProductId }, now: Date): Promise<Product[]> {
    const after = page.after ? sql`and p.id > ${page.after}` : sql``
    const rows = await this.db.execute<ProductRow>(
      productsWith(now, sql`where p.status = 'active' ${after} order by p.id limit ${page.limit}`),
    )
    return rows.map(toProduct)
  }

  async findVariants(ids: readonly VariantId[], now: Date): Promise<Map<VariantId, Variant>> {
    if (ids.length === 0) return new Map()
    return variantMap(await this.db.execute<VariantSnapshotRow>(variantSnapshotsOf(ids, now)))
  }

  async updateProduct(id: ProductId, patch: ProductPatch, audit: AuditEntry): Promise<Product | null> {
    const found = await this.db.transaction(async (tx) => {
      const rows = await tx
        .update(products)
        .set({ ...patch, updatedAt: audit.at })
        .where(eq(products.id, id))
        .returning({ id: products.id })
      if (rows.length === 0) return false
      await tx.insert(auditLog).values(auditRow(audit))
      return true
    })
    return found ? this.findProduct(id, audit.at) : null
  }

  async updateVariant(id: VariantId, patch: VariantPatch, audit: AuditEntry): Promise<Variant | null> {
    const found = await this.db.transaction(async (tx) => {
      const rows = await tx
        .update(productVariants)
        .set({ ...patch, updatedAt: audit.at })
        .where(eq(productVariants.id, id))
        .returning({ id: productVariants.id })
      if (rows.length === 0) return false
      await tx.insert(auditLog).values(auditRow(audit))
      return true
    })
    return found ? ((await this.findVariants([id], audit.at)).get(id) ?? null) : null
  }

  async adjustStock(id: VariantId, delta: number, expectedVersion: number, audit: AuditEntry, now: Date): Promise<StockChange> {
    const outcome = await this.db.transaction(async (tx): Promise<StockChange | 'done'> => {
      const rows = await tx
        .update(productVariants)
        .set({ stock: sql`${productVariants.stock} + ${delta}`, version: sql`${productVariants.version} + 1`, updatedAt: now })
        .where(
          and(
            eq(productVariants.id, id),
            eq(productVariants.version, expectedVersion),
            sql`${productVariants.stock} + ${delta} >= ${productVariants.reserved}`,
          ),
        )
        .returning({ id: productVariants.id })
      if (rows.length === 0) {
        const [current] = await tx
          .select({ version: productVariants.version, reserved: productVariants.reserved })
          .from(productVariants)
          .where(eq(productVariants.id, id))
        if (!current) return { ok: false, reason: 'not_found' }
        if (current.version !== expectedVersion) return { ok: false, reason: 'version_conflict', currentVersion: current.version }
        return { ok: false, reason: 'below_reserved', reserved: current.reserved }
      }
      await tx.insert(auditLog).values(auditRow(audit))
      return 'done'
    })
    if (outcome !== 'done') return outcome
    const variant = (await this.findVariants([id], now)).get(id)
    if (!variant) return { ok: false, reason: 'not_found' }
    return { ok: true, variant }
  }
}
