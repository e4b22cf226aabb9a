import type { AuditEntry } from '../shared/audit.ts'
import type { Product, ProductId, ProductStatus, Variant, VariantId } from './domain/variant.ts'

export interface NewVariant {
  readonly id: VariantId
  readonly sku: string
  readonly name: string
  readonly priceAmount: number
  readonly currency: string
  readonly stock: number
}

export interface ProductPatch {
  readonly name?: string
  readonly description?: string
  readonly status?: ProductStatus
}

export interface VariantPatch {
  readonly name?: string
  readonly priceAmount?: number
}

export type StockChange =
  | { readonly ok: true; readonly variant: Variant }
  | { readonly ok: false; readonly reason: 'not_found' }
  | { readonly ok: false; readonly reason: 'version_conflict'; readonly currentVersion: number }
  | { readonly ok: false; readonly reason: 'below_reserved'; readonly reserved: number }

export interface CatalogRepository {
  /** Returns the SKUs already taken (and creates nothing) when any is. */
  createProduct(
    input: { id: ProductId; name: string; description: string; variants: readonly NewVariant[] },
    audit: AuditEntry,
  ): Promise<{ product: Product } | { skusTaken: string[] }>
  findProduct(id: ProductId, now: Date): Promise<Product | null>
  listProducts(page: { limit: number; after?: ProductId }, now: Date): Promise<Product[]>
  findVariants(ids: readonly VariantId[], now: Date): Promise<Map<VariantId, Variant>>
  updateProduct(id: ProductId, patch: ProductPatch, audit: AuditEntry): Promise<Product | null>
  updateVariant(id: VariantId, patch: VariantPatch, audit: AuditEntry): Promise<Variant | null>
  /**
   * Adds `delta` units (negative for a write-off) if the variant is still at `expectedVersion`,
   * bumping the version: a stale version is refused, never silently overwritten.
   */
  adjustStock(id: VariantId, delta: number, expectedVersion: number, audit: AuditEntry, now: Date): Promise<StockChange>
}

/** Cache of public catalog reads; an optimisation only, so its failures never fail a read. */
export interface CatalogCache {
  get<T>(key: string): Promise<T | null>
  set(key: string, value: unknown): Promise<void>
  /** Drops every cached read (a change to one variant can alter any list page). */
  invalidate(): Promise<void>
}
