import { err, ok, type Result } from '../../shared/result.ts'
import { catalogErrors, type CatalogError } from '../domain/errors.ts'
import type { Variant, VariantId } from '../domain/variant.ts'
import type { Actor, CatalogDeps } from '../deps.ts'

export interface RestockCommand extends Actor {
  readonly variantId: VariantId
  /** Units to add; negative writes stock off (never below what is reserved). */
  readonly delta: number
  /** The version the admin last saw: a concurrent change makes this a 409, not a lost update. */
  readonly expectedVersion: number
}

export async function restockVariant(deps: CatalogDeps, cmd: RestockCommand): Promise<Result<Variant, CatalogError>> {
  const now = deps.clock.now()
  const change = await deps.catalog.adjustStock(
    cmd.variantId,
    cmd.delta,
    cmd.expectedVersion,
    {
      actor: cmd.actor,
      requestId: cmd.requestId,
      action: 'variant.restocked',
      entityType: 'variant',
      entityId: cmd.variantId,
      at: now,
      data: { delta: cmd.delta, expected_version: cmd.expectedVersion },
    },
    now,
  )
  if (change.ok) {
    await deps.cache.invalidate()
    return ok(change.variant)
  }
  switch (change.reason) {
    case 'not_found':
      return err(catalogErrors.variantNotFound(cmd.variantId))
    case 'version_conflict':
      return err(catalogErrors.versionConflict(cmd.variantId, cmd.expectedVersion, change.currentVersion))
    case 'below_reserved':
      return err(catalogErrors.stockBelowReserved(cmd.variantId, change.reserved))
  }
}
