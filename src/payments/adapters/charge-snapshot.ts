import { sql, type SQL } from 'drizzle-orm'
import type { OrderStatus } from '../../orders/domain/order.ts'
import type { ReservationStatus } from '../../inventory/domain/reservation.ts'
import { money } from '../../shared/money.ts'
import type { Payment, PaymentId, PaymentReference, PaymentStatus } from '../domain/payment.ts'
import type { ChargeSnapshot } from '../domain/settlement.ts'

/** A payments row as raw SQL returns it (snake_case), under a column prefix. */
export type RawPayment = {
  id: string
  order_id: string
  user_id: string
  reference: string
  amount: number
  currency: string
  status: string
  email: string
  authorization_url: string | null
  created_at: Date | string
}

export const rawToPayment = (r: RawPayment): Payment => ({
  id: r.id as PaymentId,
  orderId: r.order_id,
  userId: r.user_id,
  reference: r.reference as PaymentReference,
  amount: money(Number(r.amount), r.currency),
  status: r.status as PaymentStatus,
  email: r.email,
  authorizationUrl: r.authorization_url,
  createdAt: new Date(r.created_at),
})

export type ChargeSnapshotRow = RawPayment & {
  found_order_id: string | null
  order_status: string | null
  reservations: Array<{ variant_id: string; quantity: number; status: string; available: number }> | string | null
}

/**
 * The charge snapshot of a reference, as a subquery other statements embed (the webhook claim
 * reads it in the same statement): the payment, its order and the order's reservations with each
 * variant's free units. No locks: the settlement's guards re-check all of it.
 */
export const chargeSnapshotQuery = (reference: string): SQL => sql`
  select p.id, p.order_id, p.user_id, p.reference, p.amount, p.currency, p.status, p.email,
         p.authorization_url, p.created_at, o.id as found_order_id, o.status as order_status,
         (select coalesce(jsonb_agg(jsonb_build_object(
                   'variant_id', r.variant_id, 'quantity', r.quantity, 'status', r.status,
                   'available', pv.stock - pv.reserved) order by r.variant_id), '[]'::jsonb)
            from reservations r join product_variants pv on pv.id = r.variant_id
           where r.order_id = p.order_id) as reservations
    from payments p left join orders o on o.id = p.order_id
   where p.reference = ${reference}`

export function toChargeSnapshot(row: ChargeSnapshotRow | undefined): ChargeSnapshot | null {
  if (!row || row.id == null) return null
  const reservations = typeof row.reservations === 'string' ? JSON.parse(row.reservations) : (row.reservations ?? [])
  return {
    payment: rawToPayment(row),
    order: row.found_order_id ? { id: row.found_order_id, status: row.order_status as OrderStatus } : null,
    reservations: (reservations as Array<{ variant_id: string; quantity: number; status: string; available: number }>).map((r) => ({
      variantId: r.variant_id,
      quantity: Number(r.quantity),
      status: r.status as ReservationStatus,
      available: Number(r.available),
    })),
  }
}
