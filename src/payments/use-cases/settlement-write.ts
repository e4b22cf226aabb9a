import { auditEntries } from '../../shared/audit.ts'
import { prefixedId } from '../../shared/ids.ts'
import { paymentLifecycle, type PaymentEvent, type VerifiedCharge } from '../domain/payment.ts'
import type { RefundId } from '../domain/refund.ts'
import type { ChargeSnapshot, SettlementDecision } from '../domain/settlement.ts'
import type { SettleOutcome, SettlementWrite } from '../ports.ts'
import { PAYMENT_JOBS } from '../deps.ts'
import { outboxJob } from './payment-jobs.ts'

type Ctx = { readonly actor: string; readonly requestId: string; readonly now: Date }
type Writing = Exclude<SettlementDecision, { kind: 'already_settled' | 'not_final' }>

/**
 * Turns a settlement decision into the one write that applies it (status moves with the status
 * each expects to find, audit rows, outbox jobs) and the outcome it reports once applied.
 */
export function settlementWrite(
  s: ChargeSnapshot,
  charge: VerifiedCharge,
  d: Writing,
  ctx: Ctx,
): { write: SettlementWrite; outcome: SettleOutcome } {
  const p = s.payment
  const audit = auditEntries(ctx)
  const move = (event: PaymentEvent) => {
    const to = paymentLifecycle.transition(p.status, event)
    if (!to.ok) throw new Error(to.error.message)
    return { id: p.id, from: p.status, to: to.value }
  }
  const base = { now: ctx.now, jobs: [] }
  switch (d.kind) {
    case 'failed':
      return {
        write: { ...base, payment: move('fail'), audits: [audit('payment.failed', 'payment', p.id, { reference: p.reference })] },
        outcome: { kind: 'failed' },
      }
    case 'mismatch':
      return {
        write: {
          ...base,
          payment: { ...move('flag'), reviewReason: d.reason, gatewayTransactionId: charge.gatewayTransactionId },
          audits: [audit('payment.flagged', 'payment', p.id, { reason: d.reason })],
        },
        outcome: { kind: 'flagged', reason: d.reason },
      }
  }
  const paid = { ...move('succeed'), gatewayTransactionId: charge.gatewayTransactionId, paidAt: charge.paidAt ?? ctx.now }
  const paidAudit = audit('payment.paid', 'payment', p.id, { reference: p.reference, amount: charge.amount, currency: charge.currency })
  if (d.kind === 'fulfil') {
    const jobs = [
      outboxJob(PAYMENT_JOBS.invoice, d.orderId, { order_id: d.orderId, payment_id: p.id }),
      outboxJob(PAYMENT_JOBS.email, `order_confirmation:${p.id}`, { kind: 'order_confirmation', payment_id: p.id }),
      outboxJob(PAYMENT_JOBS.email, `payment_receipt:${p.id}`, { kind: 'payment_receipt', payment_id: p.id }),
    ]
    return {
      write: {
        now: ctx.now,
        payment: paid,
        order: { id: d.orderId, from: d.from, to: 'paid' },
        stock: { orderId: d.orderId, lines: d.lines },
        audits: [
          paidAudit,
          audit('order.paid', 'order', d.orderId, { from: d.from, payment_id: p.id }),
          audit('inventory.committed', 'order', d.orderId, { lines: d.lineCount, reactivated: d.reactivated }),
        ],
        jobs,
      },
      outcome: { kind: 'fulfilled', orderId: d.orderId, jobs, reactivated: d.reactivated.length > 0 },
    }
  }
  // Paid, but the order cannot be fulfilled: keep the money's trail and refund it in full, automatically.
  const refundId = prefixedId('rfd', ctx.now.getTime()) as RefundId
  const jobs = [
    outboxJob(PAYMENT_JOBS.autoRefund, refundId, { refund_id: refundId }),
    outboxJob(PAYMENT_JOBS.email, `payment_refunded_out_of_stock:${p.id}`, { kind: 'payment_refunded_out_of_stock', payment_id: p.id }),
  ]
  return {
    write: {
      now: ctx.now,
      payment: paid,
      refund: { id: refundId, amount: p.amount.amount, currency: p.amount.currency, reason: `automatic: ${d.why}`, requestedBy: 'system' },
      audits: [paidAudit, audit('payment.refund_required', 'payment', p.id, { refund_id: refundId, reason: d.why })],
      jobs,
    },
    outcome: { kind: 'refund_required', orderId: p.orderId, refundId, jobs },
  }
}
