import type { Product, ProductId } from '../domain/variant.ts'
import type { CatalogDeps } from '../deps.ts'

/**
 * Public reads go through the cache (invalidated on every catalog change, and short-lived because
 * availability moves with every order). Availability shown here is informative; the reservation is
 * what decides.
 */
export async function getProduct(deps: CatalogDeps, id: ProductId): Promise<Product | null> {
  const key = `product:${id}`
  const hit = await deps.cache.get<Product>(key)
  if (hit) return hit
  const product = await deps.catalog.findProduct(id, deps.clock.now())
  if (product) await deps.cache.set(key, product)
  return product
}

export async function listProducts(deps: CatalogDeps, page: { limit: number; after?: ProductId }): Promise<Product[]> {
  const key = `products:${page.limit}:${page.after ?? ''}`
  const hit = await deps.cache.get<Product[]>(key)
  if (hit) return hit
  const products = await deps.catalog.listProducts(page, deps.clock.now())
  await deps.cache.set(key, products)
  return products
}
