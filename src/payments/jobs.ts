import type { Context } from 'hono'
import { z } from 'zod'
import type { OrderId } from '../orders/domain/order.ts'
import type { AppEnv } from '../platform/http/app-env.ts'
import type { JobHandler } from '../platform/http/jobs.ts'
import { DependencyUnavailable } from '../platform/dependency.ts'
import type { PaymentId } from './domain/payment.ts'
import type { RefundId } from './domain/refund.ts'
import { autoRefund, generateInvoice, sendPaymentEmail } from './use-cases/payment-jobs.ts'
import { reconcilePayments } from './use-cases/reconcile-payments.ts'
import { PAYMENT_JOBS, type PaymentDeps } from './deps.ts'

const deps = (c: Context<AppEnv>): PaymentDeps => {
  const d = c.var.deps.payments
  // 503 makes QStash retry later rather than drop the job.
  if (!d) throw new DependencyUnavailable('paystack', new Error('PAYSTACK_SECRET_KEY is not set'))
  return d
}

const InvoiceJob = z.object({ order_id: z.string(), payment_id: z.string() })
const EmailJob = z.object({
  kind: z.enum(['order_confirmation', 'payment_receipt', 'refund_confirmation', 'payment_refunded_out_of_stock']),
  payment_id: z.string(),
  refund_id: z.string().optional(),
})
const RefundJob = z.object({ refund_id: z.string() })
/** The schedule sends none; an operator (or a test standing in for "minutes later") may shorten the wait. */
const ReconcileJob = z.object({ pending_after_seconds: z.number().int().min(0).max(86_400).optional() }).nullable()

/** The payments context's QStash jobs; each is safe to run more than once. */
export const paymentJobs: Record<string, JobHandler> = {
  [PAYMENT_JOBS.invoice]: async (c, payload) => {
    const p = InvoiceJob.parse(payload)
    return generateInvoice(deps(c), { orderId: p.order_id as OrderId, paymentId: p.payment_id as PaymentId })
  },
  [PAYMENT_JOBS.email]: async (c, payload) => {
    const p = EmailJob.parse(payload)
    return sendPaymentEmail(deps(c), {
      kind: p.kind,
      paymentId: p.payment_id as PaymentId,
      ...(p.refund_id && { refundId: p.refund_id as RefundId }),
    })
  },
  [PAYMENT_JOBS.autoRefund]: async (c, payload) => autoRefund(deps(c), { refundId: RefundJob.parse(payload).refund_id as RefundId }),
  [PAYMENT_JOBS.reconcile]: async (c, payload) => {
    if (!c.var.deps.payments) return { skipped: 'paystack not configured' }
    const after = ReconcileJob.safeParse(payload).data?.pending_after_seconds
    return reconcilePayments(c.var.deps.payments, after === undefined ? {} : { pendingAfterMs: after * 1000 })
  },
}
