import type { VariantId } from '../../catalog/domain/variant.ts'
import { defineStateMachine } from '../../shared/state-machine.ts'

export const RESERVATION_STATUSES = ['active', 'committed', 'released', 'expired'] as const
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number]
export type ReservationEvent = 'commit' | 'release' | 'expire' | 'reactivate'

/**
 * Seed 004 §4's two phases. `reactivate` is the late payment: a reservation that expired or was
 * released may be committed only if the stock is (still) free, which re-reserves it first.
 * The SQL in the adapters follows this table; a unit test keeps the two in step.
 */
export const reservationLifecycle = defineStateMachine<ReservationStatus, ReservationEvent>('reservation', RESERVATION_STATUSES, [
  { from: 'active', event: 'commit', to: 'committed' },
  { from: 'active', event: 'release', to: 'released' },
  { from: 'active', event: 'expire', to: 'expired' },
  { from: ['released', 'expired'], event: 'reactivate', to: 'active' },
])

export interface StockLine {
  readonly variantId: VariantId
  readonly quantity: number
}

/** How long a reservation holds stock (seed 004: 15 minutes). */
export const RESERVATION_TTL_MS = 15 * 60 * 1000

export type ReserveOutcome = { readonly ok: true } | { readonly ok: false; readonly variantId: VariantId; readonly available: number }

export type CommitOutcome =
  | {
      readonly ok: true
      readonly committed: readonly StockLine[]
      readonly reactivated: readonly VariantId[]
      readonly alreadyCommitted: boolean
    }
  | { readonly ok: false; readonly reason: 'insufficient_stock'; readonly variantId: VariantId; readonly available: number }
  | { readonly ok: false; readonly reason: 'no_reservations' }
