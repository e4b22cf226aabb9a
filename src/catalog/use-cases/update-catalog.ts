import { err, ok, type Result } from '../../shared/result.ts'
import { catalogErrors, type CatalogError } from '../domain/errors.ts'
import type { Product, ProductId, Variant, VariantId } from '../domain/variant.ts'
import type { ProductPatch, VariantPatch } from '../ports.ts'
import type { Actor, CatalogDeps } from '../deps.ts'

export async function updateProduct(
  deps: CatalogDeps,
  cmd: Actor & { productId: ProductId; patch: ProductPatch },
): Promise<Result<Product, CatalogError>> {
  const updated = await deps.catalog.updateProduct(cmd.productId, cmd.patch, {
    actor: cmd.actor,
    requestId: cmd.requestId,
    action: 'product.updated',
    entityType: 'product',
    entityId: cmd.productId,
    at: deps.clock.now(),
    data: { ...cmd.patch },
  })
  if (!updated) return err(catalogErrors.productNotFound(cmd.productId))
  await deps.cache.invalidate()
  return ok(updated)
}

/** Name and price only: stock changes go through restock, which is versioned. */
export async function updateVariant(
  deps: CatalogDeps,
  cmd: Actor & { variantId: VariantId; patch: VariantPatch },
): Promise<Result<Variant, CatalogError>> {
  const updated = await deps.catalog.updateVariant(cmd.variantId, cmd.patch, {
    actor: cmd.actor,
    requestId: cmd.requestId,
    action: 'variant.updated',
    entityType: 'variant',
    entityId: cmd.variantId,
    at: deps.clock.now(),
    data: { ...cmd.patch },
  })
  if (!updated) return err(catalogErrors.variantNotFound(cmd.variantId))
  await deps.cache.invalidate()
  return ok(updated)
}
