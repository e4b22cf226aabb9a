import { sql } from 'drizzle-orm'
import type { OrderStatus } from '../../orders/domain/order.ts'
import type { Db } from '../../platform/db.ts'
import { money } from '../../shared/money.ts'
import type { PaymentId, PaymentReference } from '../domain/payment.ts'
import type { AuditContext, OpenPaymentResult } from '../ports.ts'
import { rawToPayment, type RawPayment } from './charge-snapshot.ts'

const PAYMENT_COLUMNS = sql`id, order_id, user_id, reference, amount, currency, status, email, authorization_url, created_at`

type Json<T> = T | string | null
const parse = <T>(v: Json<T>): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : v)

/**
 * Initialize's first statement: the user's order, its live payment and the payer's email, and,
 * when the order is awaiting payment, unexpired, without a live payment and an email is known,
 * the new payment for the order's total with its audit row. A concurrent request's payment makes
 * the insert a no-op (the one-live-payment-per-order index); the caller then reads again.
 */
export async function openPayment(
  db: Db,
  p: { id: PaymentId; reference: PaymentReference; orderId: string; userId: string; email?: string },
  ctx: AuditContext,
): Promise<OpenPaymentResult> {
  const now = sql`${ctx.now.toISOString()}::timestamptz`
  const [row] = await db.execute<{
    o: Json<{ id: string; status: string; total_amount: number; currency: string; expires_at: string }>
    live: Json<RawPayment>
    email: string | null
    created: Json<RawPayment>
  }>(sql`
    with o as (
      select id, status, total_amount, currency, expires_at from orders where id = ${p.orderId} and user_id = ${p.userId}
    ), u as (
      select coalesce(${p.email ?? null}::text, (select email from users where id = ${p.userId})) as email
    ), live as (
      select ${PAYMENT_COLUMNS} from payments where order_id = ${p.orderId} and status = 'initialized' limit 1
    ), ins as (
      insert into payments (id, order_id, user_id, reference, amount, currency, status, email, created_at, updated_at)
      select ${p.id}, o.id, ${p.userId}, ${p.reference}, o.total_amount, o.currency, 'initialized', u.email, ${now}, ${now}
        from o, u
       where o.status = 'awaiting_payment' and o.expires_at > ${now} and u.email is not null
         and not exists (select 1 from live)
      on conflict do nothing
      returning ${PAYMENT_COLUMNS}
    ), audit as (
      insert into audit_log (actor, action, entity_type, entity_id, request_id, data, created_at)
      select ${ctx.actor}, 'payment.initialized', 'payment', ins.id, ${ctx.requestId},
             jsonb_build_object('order_id', ins.order_id, 'reference', ins.reference, 'amount', ins.amount, 'currency', ins.currency), ${now}
        from ins
    )
    select (select row_to_json(o) from o) as o, (select row_to_json(live) from live) as live,
           (select email from u) as email, (select row_to_json(ins) from ins) as created`)
  const o = parse(row?.o ?? null)
  const live = parse(row?.live ?? null)
  const created = parse(row?.created ?? null)
  return {
    order: o
      ? { id: o.id, status: o.status as OrderStatus, expiresAt: new Date(o.expires_at), total: money(Number(o.total_amount), o.currency) }
      : null,
    live: live ? rawToPayment(live) : null,
    email: row?.email ?? null,
    created: created ? rawToPayment(created) : null,
  }
}

/** The gateway refused (or failed) to initialize: the payment is failed, with its audit row. */
export async function markInitFailed(db: Db, id: PaymentId, reason: string, ctx: AuditContext): Promise<void> {
  await db.execute(sql`
    with moved as (
      update payments set status = 'failed', review_reason = ${reason.slice(0, 500)}, updated_at = ${ctx.now.toISOString()}::timestamptz
       where id = ${id} and status = 'initialized'
      returning id
    )
    insert into audit_log (actor, action, entity_type, entity_id, request_id, data, created_at)
    select ${ctx.actor}, 'payment.init_failed', 'payment', moved.id, ${ctx.requestId},
           jsonb_build_object('reason', ${reason.slice(0, 200)}::text), ${ctx.now.toISOString()}::timestamptz
      from moved`)
}
