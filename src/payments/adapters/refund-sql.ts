import { sql } from 'drizzle-orm'
import type { OrderStatus } from '../../orders/domain/order.ts'
import type { Db } from '../../platform/db.ts'
import { money } from '../../shared/money.ts'
import type { PaymentId, PaymentStatus } from '../domain/payment.ts'
import type { RefundId, RefundStatus } from '../domain/refund.ts'
import { ACCEPTED_REFUND_STATUSES } from '../domain/refund-answer.ts'
import type { AuditContext, RefundAnswerWrite, RefundHold, RefundView, StoredRefundState } from '../ports.ts'
import { rawToPayment, type RawPayment } from './charge-snapshot.ts'
import { auditsJson, jobsJson } from './unit-of-work-json.ts'

type RawRefund = {
  id: string
  payment_id: string
  amount: number
  currency: string
  reason: string
  status: string
  gateway_refund_id: string | null
  failure_reason: string | null
  requested_by: string
  created_at: string
}
type RawState = { refund: RawRefund; payment: RawPayment; order_id: string | null; order_status: string | null; accepted_others: number }
type Json<T> = T | string

const parse = <T>(v: Json<T>): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v)

export const rawToRefund = (r: RawRefund): RefundView => ({
  id: r.id as RefundId,
  paymentId: r.payment_id as PaymentId,
  amount: money(Number(r.amount), r.currency),
  reason: r.reason,
  status: r.status as RefundStatus,
  gatewayRefundId: r.gateway_refund_id,
  failureReason: r.failure_reason,
  requestedBy: r.requested_by,
  createdAt: new Date(r.created_at),
})

const toState = (s: RawState | null): StoredRefundState | null =>
  s?.refund
    ? {
        refund: { id: s.refund.id, status: s.refund.status as RefundStatus, amount: Number(s.refund.amount) },
        payment: rawToPayment(s.payment),
        order: s.order_id ? { id: s.order_id, status: s.order_status as OrderStatus } : null,
        acceptedOthers: Number(s.accepted_others),
        view: rawToRefund(s.refund),
      }
    : null

const accepted = () =>
  sql`array[${sql.join(
    ACCEPTED_REFUND_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  )}]::text[]`

/** The hold in one call of payments_hold_refund (migration 0010), with its audit row. */
export async function holdRefund(
  db: Db,
  input: { id: RefundId; paymentId: PaymentId; amount: number; currency?: string; reason: string },
  rules: { refundableFrom: readonly PaymentStatus[]; holds: readonly RefundStatus[] },
  ctx: AuditContext,
): Promise<RefundHold> {
  const p = {
    id: input.id,
    payment_id: input.paymentId,
    amount: input.amount,
    currency: input.currency ?? null,
    reason: input.reason,
    requested_by: ctx.actor,
    now: ctx.now.toISOString(),
    refundable_from: rules.refundableFrom,
    holds: rules.holds,
    accepted: ACCEPTED_REFUND_STATUSES,
    audits: auditsJson([
      {
        actor: ctx.actor,
        requestId: ctx.requestId,
        at: ctx.now,
        action: 'refund.requested',
        entityType: 'refund',
        entityId: input.id,
        data: { payment_id: input.paymentId, amount: input.amount, reason: input.reason },
      },
    ]),
  }
  const [row] = await db.execute<{
    r: Json<{ payment: RawPayment | null; outcome?: RefundHold['outcome']; refundable?: number | null; state?: RawState | null }>
  }>(sql`select payments_hold_refund(${JSON.stringify(p)}::jsonb) as r`)
  const r = parse(row!.r)
  if (!r.payment) return { payment: null, outcome: 'refused', refundable: null, state: null }
  return {
    payment: rawToPayment(r.payment),
    outcome: r.outcome ?? 'refused',
    refundable: r.refundable ?? null,
    state: toState(r.state ?? null),
  }
}

export async function loadRefundState(db: Db, id: RefundId): Promise<StoredRefundState | null> {
  const [row] = await db.execute<{ s: Json<RawState> | null }>(sql`select payments_refund_state(${id}, ${accepted()}) as s`)
  return row?.s ? toState(parse(row.s)) : null
}

/** The answer in one call of payments_record_refund (migration 0010). */
export async function recordRefundAnswer(db: Db, w: RefundAnswerWrite): Promise<RefundView | 'conflict'> {
  const p = {
    now: w.now.toISOString(),
    refund: {
      id: w.refund.id,
      from: w.refund.from,
      to: w.refund.to,
      gateway_refund_id: w.refund.gatewayRefundId ?? null,
      failure_reason: w.refund.failureReason ?? null,
    },
    payment: w.payment ? { id: w.payment.id, from: w.payment.from, to: w.payment.to, accepted_others: w.payment.acceptedOthers } : null,
    order: w.order ?? null,
    accepted: ACCEPTED_REFUND_STATUSES,
    audits: auditsJson(w.audits),
    jobs: jobsJson(w.jobs),
  }
  const [row] = await db.execute<{ r: Json<{ conflict?: boolean; refund?: RawRefund }> }>(
    sql`select payments_record_refund(${JSON.stringify(p)}::jsonb) as r`,
  )
  const r = parse(row!.r)
  if (r.conflict || !r.refund) return 'conflict'
  return rawToRefund(r.refund)
}
