import type { Deps } from '../container.ts'
import { DrizzleCatalogRepository } from './adapters/drizzle-catalog-repository.ts'
import { RedisCatalogCache } from './adapters/redis-catalog-cache.ts'
import type { CatalogDeps } from './deps.ts'

/** The catalog context's adapters, built when a catalog route (or carts, which read it) first asks. */
export function wireCatalog({ db, redis, logger, clock }: Deps): CatalogDeps {
  return { catalog: new DrizzleCatalogRepository(db), cache: new RedisCatalogCache(redis, logger), clock }
}
