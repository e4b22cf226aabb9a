import type { CatalogRepository } from '../catalog/ports.ts'
import type { Clock } from '../shared/clock.ts'
import type { GuestCartStore, UserCartStore } from './ports.ts'

export interface CartDeps {
  readonly guests: GuestCartStore
  readonly users: UserCartStore
  /** Read directly, not through the catalog cache: prices and availability must be current. */
  readonly catalog: Pick<CatalogRepository, 'findVariants'>
  readonly clock: Clock
}
