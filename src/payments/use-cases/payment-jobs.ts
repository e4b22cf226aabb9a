import type { OrderId } from '../../orders/domain/order.ts'
import type { Order } from '../../orders/domain/order.ts'
import type { JobMessage } from '../../shared/jobs.ts'
import { money } from '../../shared/money.ts'
import type { PaymentId } from '../domain/payment.ts'
import type { RefundId } from '../domain/refund.ts'
import { renderInvoice } from '../domain/invoice.ts'
import type { PaymentDeps } from '../deps.ts'
import { sendRefund } from './request-refund.ts'

/** A job for the outbox, named by what it is about so a second write of it is a no-op. */
export const outboxJob = (name: string, dedup: string, payload: Record<string, unknown>): JobMessage => ({
  name,
  payload,
  deduplicationId: `${name}:${dedup}`,
})

export type EmailKind = 'order_confirmation' | 'payment_receipt' | 'refund_confirmation' | 'payment_refunded_out_of_stock'

export const invoiceKey = (orderId: string) => `invoices/${orderId}.html`

/** Renders the invoice and stores it; a redelivery overwrites it with the same bytes. */
export async function generateInvoice(deps: PaymentDeps, input: { orderId: OrderId; paymentId: PaymentId }): Promise<{ key: string }> {
  const order = await deps.orders.find(input.orderId)
  const payment = await deps.store.findById(input.paymentId)
  if (!order || !payment) throw new Error(`invoice for unknown order ${input.orderId} or payment ${input.paymentId}`)
  const key = invoiceKey(order.id)
  await deps.files.put(key, renderInvoice(order, payment), 'text/html; charset=utf-8')
  return { key }
}

/** One email per (kind, subject entity): the deduplication key makes redelivery harmless. */
export async function sendPaymentEmail(
  deps: PaymentDeps,
  input: { kind: EmailKind; paymentId: PaymentId; refundId?: RefundId },
): Promise<{ result: 'sent' | 'duplicate' }> {
  const payment = await deps.store.findById(input.paymentId)
  if (!payment) throw new Error(`email for unknown payment ${input.paymentId}`)
  const order = await deps.orders.find(payment.orderId as OrderId)
  const amount = (n: number) => `${(n / 100).toFixed(2)} ${payment.amount.currency}`
  const refund = input.refundId ? await deps.store.findRefund(input.refundId) : null
  const subjects: Record<EmailKind, string> = {
    order_confirmation: `Order ${payment.orderId} confirmed`,
    payment_receipt: `Receipt for ${amount(payment.amount.amount)} (${payment.reference})`,
    refund_confirmation: `Refund of ${amount(refund?.amount.amount ?? 0)} on order ${payment.orderId}`,
    payment_refunded_out_of_stock: `Order ${payment.orderId} could not be fulfilled; your payment is being refunded`,
  }
  const lines = order ? order.lines.map((l) => `${l.quantity} × ${l.name} (${l.sku}): ${amount(l.lineTotal.amount)}`) : []
  const result = await deps.emails.send({
    deduplicationKey: `${input.kind}:${input.refundId ?? payment.id}`,
    to: payment.email,
    subject: subjects[input.kind],
    body: [subjects[input.kind], '', ...lines, '', `Total: ${amount(payment.amount.amount)}`, `Reference: ${payment.reference}`].join('\n'),
  })
  return { result }
}

/** A late payment whose stock was gone: send the refund recorded at settlement. */
export async function autoRefund(deps: PaymentDeps, input: { refundId: RefundId }): Promise<{ status: string }> {
  const refund = await deps.store.findRefund(input.refundId)
  if (!refund) throw new Error(`unknown refund ${input.refundId}`)
  if (refund.status !== 'requested') return { status: refund.status }
  const payment = await deps.store.findById(refund.paymentId)
  if (!payment) throw new Error(`refund ${refund.id} of unknown payment`)
  // Paystack documents no idempotency key for refunds: look before sending again after a crash.
  const existing = await deps.gateway.listRefunds(payment.reference)
  const now = deps.clock.now()
  if (existing.ok && existing.value.some((r) => r.amount === refund.amount.amount)) {
    await deps.store.applyGatewayRefunds(payment.reference, existing.value, {
      actor: 'system:auto-refund',
      requestId: `job:${refund.id}`,
      now,
    })
    return { status: (await deps.store.findRefund(refund.id))?.status ?? 'unknown' }
  }
  const view = await sendRefund(deps, refund.id, payment.reference, money(refund.amount.amount, refund.amount.currency), refund.reason, {
    actor: 'system:auto-refund',
    requestId: `job:${refund.id}`,
    now,
  })
  return { status: view.status }
}

export const orderTotalLine = (o: Order) => `${o.total.amount} ${o.total.currency}`
