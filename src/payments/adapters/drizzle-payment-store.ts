import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm'
import { auditLog, orders, payments, refunds } from '../../db/schema.ts'
import { orderLifecycle, type OrderStatus } from '../../orders/domain/order.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Db, Tx } from '../../platform/db.ts'
import { money } from '../../shared/money.ts'
import { paymentLifecycle, type Payment, type PaymentId, type PaymentReference, type PaymentStatus } from '../domain/payment.ts'
import { ACCEPTED_REFUND_STATUSES } from '../domain/refund-answer.ts'
import { REFUND_EVENT_FOR, refundLifecycle, type RefundId, type RefundStatus } from '../domain/refund.ts'
import type { AuditContext, GatewayRefund, PaymentStore, RefundAnswerWrite, RefundView, SettlementWrite } from '../ports.ts'
import { markInitFailed, openPayment } from './open-payment-sql.ts'
import { holdRefund, loadRefundState, recordRefundAnswer } from './refund-sql.ts'
import { commitSettlement, loadCharge } from './settlement-sql.ts'

type PaymentRow = typeof payments.$inferSelect
type RefundRow = typeof refunds.$inferSelect

const toPayment = (r: PaymentRow): Payment => ({
  id: r.id as PaymentId,
  orderId: r.orderId,
  userId: r.userId,
  reference: r.reference as PaymentReference,
  amount: money(r.amount, r.currency),
  status: r.status as PaymentStatus,
  email: r.email,
  authorizationUrl: r.authorizationUrl,
  createdAt: r.createdAt,
})

const toRefund = (r: RefundRow): RefundView => ({
  id: r.id as RefundId,
  paymentId: r.paymentId as PaymentId,
  amount: money(r.amount, r.currency),
  reason: r.reason,
  status: r.status as RefundStatus,
  gatewayRefundId: r.gatewayRefundId,
  failureReason: r.failureReason,
  requestedBy: r.requestedBy,
  createdAt: r.createdAt,
})

const audit = (ctx: AuditContext, action: string, entityType: string, entityId: string, data?: Record<string, unknown>) =>
  auditRow({ actor: ctx.actor, requestId: ctx.requestId, at: ctx.now, action, entityType, entityId, ...(data && { data }) })

/** Postgres side of payments. Each method is one transaction; rows are locked in the order payment → order → refunds. */
export class DrizzlePaymentStore implements PaymentStore {
  constructor(private readonly db: Db) {}

  openPayment(p: Parameters<PaymentStore['openPayment']>[0], ctx: AuditContext) {
    return openPayment(this.db, p, ctx)
  }

  async attachAuthorization(id: PaymentId, authorizationUrl: string, accessCode: string) {
    await this.db.update(payments).set({ authorizationUrl, accessCode, updatedAt: new Date() }).where(eq(payments.id, id))
  }

  markInitFailed(id: PaymentId, reason: string, ctx: AuditContext) {
    return markInitFailed(this.db, id, reason, ctx)
  }

  async findById(id: PaymentId) {
    const [r] = await this.db.select().from(payments).where(eq(payments.id, id))
    return r ? toPayment(r) : null
  }

  async findByReference(reference: string) {
    const [r] = await this.db.select().from(payments).where(eq(payments.reference, reference))
    return r ? toPayment(r) : null
  }

  loadCharge(reference: string) {
    return loadCharge(this.db, reference)
  }

  commitSettlement(write: SettlementWrite) {
    return commitSettlement(this.db, write)
  }

  async stalePayments(before: Date, limit: number) {
    const rows = await this.db
      .select()
      .from(payments)
      .where(and(eq(payments.status, 'initialized'), lt(payments.updatedAt, before)))
      .orderBy(asc(payments.updatedAt))
      .limit(limit)
    return rows.map(toPayment)
  }

  async touchPayment(id: PaymentId, now: Date) {
    await this.db
      .update(payments)
      .set({ updatedAt: now })
      .where(and(eq(payments.id, id), eq(payments.status, 'initialized')))
  }

  holdRefund(...args: Parameters<PaymentStore['holdRefund']>) {
    return holdRefund(this.db, ...args)
  }

  loadRefundState(id: RefundId) {
    return loadRefundState(this.db, id)
  }

  recordRefundAnswer(write: RefundAnswerWrite) {
    return recordRefundAnswer(this.db, write)
  }

  async applyGatewayRefunds(reference: string, listed: readonly GatewayRefund[], ctx: AuditContext): Promise<number> {
    return this.db.transaction(async (tx) => {
      const [p] = await tx.select().from(payments).where(eq(payments.reference, reference)).for('update')
      if (!p) return 0
      const ours = await tx.select().from(refunds).where(eq(refunds.paymentId, p.id)).orderBy(asc(refunds.createdAt)).for('update')
      let changed = 0
      let accepted = false
      for (const g of listed) {
        let mine = ours.find((r) => r.gatewayRefundId === g.gatewayRefundId)
        // A refund whose answer we never recorded (a crash, a timeout): match it by amount.
        mine ??= ours.find((r) => r.gatewayRefundId === null && r.status === 'requested' && r.amount === g.amount)
        if (!mine) continue
        const event = REFUND_EVENT_FOR[g.status]
        if (!event) continue
        let status = mine.status as RefundStatus
        // Reaching a later status from `requested` passes through acceptance.
        if (status === 'requested' && event !== 'accept' && event !== 'fail' && event !== 'complete') status = 'pending'
        const to = refundLifecycle.transition(status, event)
        if (!to.ok && mine.gatewayRefundId === g.gatewayRefundId) continue
        const next = to.ok ? to.value : status
        if (next === mine.status && mine.gatewayRefundId === g.gatewayRefundId) continue
        await tx
          .update(refunds)
          .set({ status: next, gatewayRefundId: g.gatewayRefundId, updatedAt: ctx.now })
          .where(eq(refunds.id, mine.id))
        await tx
          .insert(auditLog)
          .values(audit(ctx, `refund.${next}`, 'refund', mine.id, { gateway_refund_id: g.gatewayRefundId, gateway_status: g.status }))
        if (mine.status === 'requested' && next !== 'failed') accepted = true
        mine.gatewayRefundId = g.gatewayRefundId
        mine.status = next
        changed++
      }
      if (accepted) await markRefunded(tx, p, ctx)
      return changed
    })
  }

  async findRefund(id: RefundId) {
    const [r] = await this.db.select().from(refunds).where(eq(refunds.id, id))
    return r ? toRefund(r) : null
  }

  async refundsOfPayment(id: PaymentId) {
    const rows = await this.db.select().from(refunds).where(eq(refunds.paymentId, id)).orderBy(asc(refunds.createdAt))
    return rows.map(toRefund)
  }

  async staleRefundRequests(before: Date, limit: number) {
    const rows = await this.db
      .select()
      .from(refunds)
      .where(and(eq(refunds.status, 'requested'), lt(refunds.createdAt, before)))
      .orderBy(asc(refunds.createdAt))
      .limit(limit)
    return rows.map(toRefund)
  }

  async pendingRefunds(before: Date, limit: number) {
    const rows = await this.db
      .select()
      .from(refunds)
      .where(and(eq(refunds.status, 'pending'), lt(refunds.updatedAt, before)))
      .orderBy(asc(refunds.updatedAt))
      .limit(limit)
    return rows.map(toRefund)
  }

  async touchRefund(id: RefundId, now: Date) {
    await this.db
      .update(refunds)
      .set({ updatedAt: now })
      .where(and(eq(refunds.id, id), eq(refunds.status, 'pending')))
  }
}

/** After a refund is accepted: payment and order become partially refunded or refunded. */
async function markRefunded(tx: Tx, p: PaymentRow, ctx: AuditContext): Promise<void> {
  const [row] = await tx
    .select({ total: sql<number>`coalesce(sum(${refunds.amount}), 0)::integer` })
    .from(refunds)
    .where(and(eq(refunds.paymentId, p.id), inArray(refunds.status, [...ACCEPTED_REFUND_STATUSES])))
  const event = Number(row?.total ?? 0) >= p.amount ? 'refund_all' : 'refund_part'
  const paymentTo = paymentLifecycle.transition(p.status as PaymentStatus, event)
  if (paymentTo.ok && paymentTo.value !== p.status) {
    await tx.update(payments).set({ status: paymentTo.value, updatedAt: ctx.now }).where(eq(payments.id, p.id))
    p.status = paymentTo.value
  }
  const [o] = await tx.select().from(orders).where(eq(orders.id, p.orderId)).for('update')
  if (!o) return
  const orderTo = orderLifecycle.transition(o.status as OrderStatus, event)
  if (orderTo.ok && orderTo.value !== o.status) {
    await tx.update(orders).set({ status: orderTo.value, updatedAt: ctx.now }).where(eq(orders.id, o.id))
    await tx.insert(auditLog).values(audit(ctx, `order.${orderTo.value}`, 'order', o.id, { from: o.status, payment_id: p.id }))
  }
}
