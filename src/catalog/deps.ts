import type { Clock } from '../shared/clock.ts'
import type { CatalogCache, CatalogRepository } from './ports.ts'

export interface CatalogDeps {
  readonly catalog: CatalogRepository
  readonly cache: CatalogCache
  readonly clock: Clock
}

/** Who asked and from which request: every write is audited with it. */
export interface Actor {
  readonly actor: string
  readonly requestId: string
}
