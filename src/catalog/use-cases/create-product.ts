import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { catalogErrors, type CatalogError } from '../domain/errors.ts'
import type { Product, ProductId, VariantId } from '../domain/variant.ts'
import type { Actor, CatalogDeps } from '../deps.ts'

export interface CreateProductCommand extends Actor {
  readonly name: string
  readonly description: string
  readonly variants: ReadonlyArray<{ sku: string; name: string; priceAmount: number; currency: string; stock: number }>
}

export async function createProduct(deps: CatalogDeps, cmd: CreateProductCommand): Promise<Result<Product, CatalogError>> {
  const now = deps.clock.now()
  const id = prefixedId('prd', now.getTime()) as ProductId
  const created = await deps.catalog.createProduct(
    {
      id,
      name: cmd.name,
      description: cmd.description,
      variants: cmd.variants.map((v) => ({ ...v, id: prefixedId('var', now.getTime()) as VariantId })),
    },
    {
      actor: cmd.actor,
      requestId: cmd.requestId,
      action: 'product.created',
      entityType: 'product',
      entityId: id,
      at: now,
      data: { skus: cmd.variants.map((v) => v.sku) },
    },
  )
  if ('skusTaken' in created) return err(catalogErrors.skuTaken(created.skusTaken))
  await deps.cache.invalidate()
  return ok(created.product)
}
