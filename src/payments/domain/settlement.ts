import { orderLifecycle, type OrderStatus } from '../../orders/domain/order.ts'
import { reservationLifecycle, type ReservationStatus } from '../../inventory/domain/reservation.ts'
import { decideCharge, type Payment, type VerifiedCharge } from './payment.ts'

/**
 * Everything settling a charge looks at, read in one statement without locks: the payment, its
 * order and the order's reservations with what each variant has free. The write that follows is
 * guarded by the same facts, so a snapshot that went stale makes it fail cleanly (then re-read).
 */
export interface ChargeSnapshot {
  readonly payment: Payment
  readonly order: { readonly id: string; readonly status: OrderStatus } | null
  readonly reservations: readonly SnapshotReservation[]
}

export interface SnapshotReservation {
  readonly variantId: string
  readonly quantity: number
  readonly status: ReservationStatus
  /** The variant's units nobody holds (stock - reserved): what a late reservation may take. */
  readonly available: number
}

/** A reservation to move to committed; `from` is the status the write expects to find. */
export interface CommitLine {
  readonly variantId: string
  readonly quantity: number
  readonly from: ReservationStatus
}

export type SettlementDecision =
  | { readonly kind: 'already_settled' }
  | { readonly kind: 'not_final' }
  | { readonly kind: 'failed' }
  | { readonly kind: 'mismatch'; readonly reason: string }
  /** Paid and fulfilled: the order moves `from` to paid and `lines` are committed. */
  | {
      readonly kind: 'fulfil'
      readonly orderId: string
      readonly from: OrderStatus
      readonly lines: readonly CommitLine[]
      /** All of the order's lines (already committed ones too), as the audit row counts them. */
      readonly lineCount: number
      readonly reactivated: readonly string[]
    }
  /** Paid, but the order cannot be fulfilled (stock gone after expiry, order cancelled): refund it all. */
  | { readonly kind: 'refund'; readonly why: string }

/**
 * Seed 004 §1 steps 15-18 and the late payment, as one pure rule over the snapshot: the charge
 * against what we initialized (decideCharge), then whether the order can still be paid and each
 * reservation committed: an active one holds its units; an expired or released one (a payment
 * after expiry) may take only units nobody else holds.
 */
export function decideSettlement(s: ChargeSnapshot, charge: VerifiedCharge): SettlementDecision {
  const charged = decideCharge(s.payment, charge)
  if (charged.kind !== 'fulfil') return charged
  if (!s.order) return { kind: 'refund', why: 'order missing' }
  if (!orderLifecycle.can(s.order.status, 'pay')) return { kind: 'refund', why: `order ${s.order.status}` }
  if (s.reservations.length === 0) return { kind: 'refund', why: 'stock unavailable (no_reservations)' }
  const lines: CommitLine[] = []
  const reactivated: string[] = []
  for (const r of s.reservations) {
    if (r.status === 'committed') continue
    const late = reservationLifecycle.can(r.status, 'reactivate')
    if (late && r.available < r.quantity) return { kind: 'refund', why: 'stock unavailable (insufficient_stock)' }
    if (late) reactivated.push(r.variantId)
    lines.push({ variantId: r.variantId, quantity: r.quantity, from: r.status })
  }
  return { kind: 'fulfil', orderId: s.order.id, from: s.order.status, lines, lineCount: s.reservations.length, reactivated }
}
