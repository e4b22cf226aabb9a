import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm'
import { auditLog, orders, outbox, payments, refunds } from '../../db/schema.ts'
import { PostgresStockCommitter } from '../../inventory/adapters/postgres-stock-committer.ts'
import { orderLifecycle, type OrderStatus } from '../../orders/domain/order.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Db, Tx } from '../../platform/db.ts'
import { prefixedId } from '../../shared/ids.ts'
import type { JobMessage } from '../../shared/jobs.ts'
import { money } from '../../shared/money.ts'
import { decideCharge, paymentLifecycle, type Payment, type PaymentId, type PaymentReference, type PaymentStatus, type VerifiedCharge } from '../domain/payment.ts'
import { HOLDS_AMOUNT, REFUND_EVENT_FOR, refundLifecycle, type RefundId, type RefundStatus } from '../domain/refund.ts'
import type { AuditContext, GatewayRefund, PaymentStore, RefundRequestOutcome, RefundView, SettleOutcome } from '../ports.ts'
import { PAYMENT_JOBS } from '../use-cases/payment-jobs.ts'

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

/** Writes jobs to the outbox inside the caller's transaction; a rollback takes them back. */
async function enqueue(tx: Tx, jobs: readonly JobMessage[], now: Date): Promise<void> {
  if (jobs.length === 0) return
  await tx
    .insert(outbox)
    .values(jobs.map((j) => ({ jobName: j.name, payload: j.payload as object, deduplicationId: j.deduplicationId!, createdAt: now })))
    .onConflictDoNothing()
}

const job = (name: string, dedup: string, payload: Record<string, unknown>): JobMessage => ({ name, payload, deduplicationId: `${name}:${dedup}` })

/** Postgres side of payments. Each method is one transaction; rows are locked in the order payment → order → refunds. */
export class DrizzlePaymentStore implements PaymentStore {
  constructor(private readonly db: Db) {}

  async createInitialized(p: Payment, ctx: AuditContext) {
    return this.db.transaction(async (tx) => {
      const inserted = await tx
        .insert(payments)
        .values({
          id: p.id,
          orderId: p.orderId,
          userId: p.userId,
          reference: p.reference,
          amount: p.amount.amount,
          currency: p.amount.currency,
          status: p.status,
          email: p.email,
          createdAt: p.createdAt,
          updatedAt: p.createdAt,
        })
        .onConflictDoNothing()
        .returning({ id: payments.id })
      if (inserted.length === 0) {
        const [live] = await tx.select().from(payments).where(and(eq(payments.orderId, p.orderId), eq(payments.status, 'initialized')))
        if (!live) throw new Error(`payment insert for order ${p.orderId} conflicted without a live payment`)
        return { created: false as const, existing: toPayment(live) }
      }
      await tx.insert(auditLog).values(audit(ctx, 'payment.initialized', 'payment', p.id, { order_id: p.orderId, reference: p.reference, amount: p.amount.amount, currency: p.amount.currency }))
      return { created: true as const }
    })
  }

  async attachAuthorization(id: PaymentId, authorizationUrl: string, accessCode: string) {
    await this.db.update(payments).set({ authorizationUrl, accessCode, updatedAt: new Date() }).where(eq(payments.id, id))
  }

  async markInitFailed(id: PaymentId, reason: string, ctx: AuditContext) {
    await this.db.transaction(async (tx) => {
      const moved = await tx
        .update(payments)
        .set({ status: 'failed', reviewReason: reason.slice(0, 500), updatedAt: ctx.now })
        .where(and(eq(payments.id, id), eq(payments.status, 'initialized')))
        .returning({ id: payments.id })
      if (moved.length > 0) await tx.insert(auditLog).values(audit(ctx, 'payment.init_failed', 'payment', id, { reason: reason.slice(0, 200) }))
    })
  }

  async findById(id: PaymentId) {
    const [r] = await this.db.select().from(payments).where(eq(payments.id, id))
    return r ? toPayment(r) : null
  }

  async findByReference(reference: string) {
    const [r] = await this.db.select().from(payments).where(eq(payments.reference, reference))
    return r ? toPayment(r) : null
  }

  async settleCharge(reference: string, charge: VerifiedCharge, ctx: AuditContext): Promise<SettleOutcome> {
    return this.db.transaction(async (tx): Promise<SettleOutcome> => {
      const [row] = await tx.select().from(payments).where(eq(payments.reference, reference)).for('update')
      if (!row) return { kind: 'unknown_reference' }
      const payment = toPayment(row)
      const decision = decideCharge(payment, charge)
      const setStatus = async (event: 'succeed' | 'fail' | 'flag', extra: Partial<PaymentRow> = {}) => {
        const to = paymentLifecycle.transition(payment.status, event)
        if (!to.ok) throw new Error(to.error.message)
        await tx.update(payments).set({ status: to.value, updatedAt: ctx.now, ...extra }).where(eq(payments.id, payment.id))
      }
      switch (decision.kind) {
        case 'already_settled':
        case 'not_final':
          return { kind: decision.kind }
        case 'failed':
          await setStatus('fail')
          await tx.insert(auditLog).values(audit(ctx, 'payment.failed', 'payment', payment.id, { reference }))
          return { kind: 'failed' }
        case 'mismatch':
          await setStatus('flag', { reviewReason: decision.reason, gatewayTransactionId: charge.gatewayTransactionId })
          await tx.insert(auditLog).values(audit(ctx, 'payment.flagged', 'payment', payment.id, { reason: decision.reason }))
          return { kind: 'flagged', reason: decision.reason }
        case 'fulfil':
          break
      }

      await setStatus('succeed', { gatewayTransactionId: charge.gatewayTransactionId, paidAt: charge.paidAt ?? ctx.now })
      await tx.insert(auditLog).values(audit(ctx, 'payment.paid', 'payment', payment.id, { reference, amount: charge.amount, currency: charge.currency }))

      const [order] = await tx.select().from(orders).where(eq(orders.id, payment.orderId)).for('update')
      const orderStatus = order?.status as OrderStatus | undefined
      const commit =
        orderStatus && orderLifecycle.can(orderStatus, 'pay') ? await new PostgresStockCommitter(tx).commit(payment.orderId, ctx.now) : null
      if (order && orderStatus && commit?.ok) {
        await tx.update(orders).set({ status: 'paid', updatedAt: ctx.now }).where(eq(orders.id, order.id))
        await tx.insert(auditLog).values([
          audit(ctx, 'order.paid', 'order', order.id, { from: orderStatus, payment_id: payment.id }),
          audit(ctx, 'inventory.committed', 'order', order.id, { lines: commit.committed.length, reactivated: commit.reactivated }),
        ])
        const jobs = [
          job(PAYMENT_JOBS.invoice, order.id, { order_id: order.id, payment_id: payment.id }),
          job(PAYMENT_JOBS.email, `order_confirmation:${payment.id}`, { kind: 'order_confirmation', payment_id: payment.id }),
          job(PAYMENT_JOBS.email, `payment_receipt:${payment.id}`, { kind: 'payment_receipt', payment_id: payment.id }),
        ]
        await enqueue(tx, jobs, ctx.now)
        return { kind: 'fulfilled', orderId: order.id, jobs, reactivated: commit.reactivated.length > 0 }
      }

      // Paid, but the order cannot be fulfilled (stock gone after expiry, or the order was
      // cancelled): keep the money's trail and refund it in full, automatically.
      const refundId = prefixedId('rfd', ctx.now.getTime()) as RefundId
      const why = !order ? 'order missing' : commit && !commit.ok ? `stock unavailable (${commit.reason})` : `order ${orderStatus}`
      await tx.insert(refunds).values({
        id: refundId,
        paymentId: payment.id,
        amount: payment.amount.amount,
        currency: payment.amount.currency,
        reason: `automatic: ${why}`,
        status: 'requested',
        requestedBy: 'system',
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      await tx.insert(auditLog).values(audit(ctx, 'payment.refund_required', 'payment', payment.id, { refund_id: refundId, reason: why }))
      const jobs = [
        job(PAYMENT_JOBS.autoRefund, refundId, { refund_id: refundId }),
        job(PAYMENT_JOBS.email, `payment_refunded_out_of_stock:${payment.id}`, { kind: 'payment_refunded_out_of_stock', payment_id: payment.id }),
      ]
      await enqueue(tx, jobs, ctx.now)
      return { kind: 'refund_required', orderId: payment.orderId, refundId, jobs }
    })
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
    await this.db.update(payments).set({ updatedAt: now }).where(and(eq(payments.id, id), eq(payments.status, 'initialized')))
  }

  async requestRefund(input: { id: RefundId; paymentId: PaymentId; amount: number; reason: string }, ctx: AuditContext): Promise<RefundRequestOutcome> {
    return this.db.transaction(async (tx): Promise<RefundRequestOutcome> => {
      const [p] = await tx.select().from(payments).where(eq(payments.id, input.paymentId)).for('update')
      if (!p) return { ok: false, reason: 'not_found' }
      // The same request again (its id derives from the admin's Idempotency-Key): its amount is
      // already held, so neither the checks below nor a second hold apply; the caller resolves it.
      const [prior] = await tx.select({ id: refunds.id }).from(refunds).where(and(eq(refunds.id, input.id), eq(refunds.paymentId, p.id)))
      if (prior) return { ok: true, refundId: input.id, payment: toPayment(p), existing: true }
      const status = p.status as PaymentStatus
      if (!paymentLifecycle.can(status, 'refund_part')) return { ok: false, reason: 'not_refundable', status }
      const refundable = p.amount - (await heldAmount(tx, p.id))
      if (input.amount > refundable) return { ok: false, reason: 'too_large', refundable }
      await tx.insert(refunds).values({
        id: input.id,
        paymentId: p.id,
        amount: input.amount,
        currency: p.currency,
        reason: input.reason,
        status: 'requested',
        requestedBy: ctx.actor,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      await tx.insert(auditLog).values(audit(ctx, 'refund.requested', 'refund', input.id, { payment_id: p.id, amount: input.amount, reason: input.reason }))
      return { ok: true, refundId: input.id, payment: toPayment(p) }
    })
  }

  async recordRefundAnswer(
    refundId: RefundId,
    answer: { accepted: true; gatewayRefundId: string; status: string } | { accepted: false; message: string },
    ctx: AuditContext,
  ) {
    return this.db.transaction(async (tx) => {
      const [r] = await tx.select().from(refunds).where(eq(refunds.id, refundId))
      if (!r) throw new Error(`unknown refund ${refundId}`)
      const [p] = await tx.select().from(payments).where(eq(payments.id, r.paymentId)).for('update')
      const [locked] = await tx.select().from(refunds).where(eq(refunds.id, refundId)).for('update')
      if (!p || !locked) throw new Error(`refund ${refundId} lost its payment`)
      const from = locked.status as RefundStatus
      if (!answer.accepted) {
        const to = refundLifecycle.transition(from, 'reject')
        if (to.ok) {
          await tx.update(refunds).set({ status: to.value, failureReason: answer.message.slice(0, 500), updatedAt: ctx.now }).where(eq(refunds.id, refundId))
          await tx.insert(auditLog).values(audit(ctx, 'refund.failed', 'refund', refundId, { message: answer.message.slice(0, 200) }))
        }
        return { jobs: [] }
      }
      const event = REFUND_EVENT_FOR[answer.status] ?? 'accept'
      const to = refundLifecycle.transition(from, event)
      if (!to.ok) return { jobs: [] }
      await tx.update(refunds).set({ status: to.value, gatewayRefundId: answer.gatewayRefundId, updatedAt: ctx.now }).where(eq(refunds.id, refundId))
      await tx.insert(auditLog).values(audit(ctx, 'refund.accepted', 'refund', refundId, { gateway_refund_id: answer.gatewayRefundId, status: answer.status }))
      await markRefunded(tx, p, ctx)
      const jobs = [job(PAYMENT_JOBS.email, `refund_confirmation:${refundId}`, { kind: 'refund_confirmation', payment_id: p.id, refund_id: refundId })]
      await enqueue(tx, jobs, ctx.now)
      return { jobs }
    })
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
        await tx.update(refunds).set({ status: next, gatewayRefundId: g.gatewayRefundId, updatedAt: ctx.now }).where(eq(refunds.id, mine.id))
        await tx.insert(auditLog).values(audit(ctx, `refund.${next}`, 'refund', mine.id, { gateway_refund_id: g.gatewayRefundId, gateway_status: g.status }))
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
    await this.db.update(refunds).set({ updatedAt: now }).where(and(eq(refunds.id, id), eq(refunds.status, 'pending')))
  }
}

/** Amount held by refunds that have not failed (requested ones included: racing refunds see them). */
async function heldAmount(tx: Tx, paymentId: string): Promise<number> {
  const [row] = await tx
    .select({ total: sql<number>`coalesce(sum(${refunds.amount}), 0)::integer` })
    .from(refunds)
    .where(and(eq(refunds.paymentId, paymentId), inArray(refunds.status, [...HOLDS_AMOUNT])))
  return Number(row?.total ?? 0)
}

/** After a refund is accepted: payment and order become partially refunded or refunded. */
async function markRefunded(tx: Tx, p: PaymentRow, ctx: AuditContext): Promise<void> {
  const [row] = await tx
    .select({ total: sql<number>`coalesce(sum(${refunds.amount}), 0)::integer` })
    .from(refunds)
    .where(and(eq(refunds.paymentId, p.id), inArray(refunds.status, ['pending', 'processing', 'processed', 'needs_attention'])))
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
