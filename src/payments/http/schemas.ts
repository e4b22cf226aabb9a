import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import type { Deps } from '../../container.ts'
import { HttpError } from '../../platform/http/errors.ts'
import { currencyCode, prefixedId, text } from '../../platform/http/schemas.ts'
import { PG_INTEGER_MAX } from '../../platform/http/validation.ts'
import type { PaymentErrorCode } from '../domain/errors.ts'
import { PAYMENT_STATUSES, type Payment } from '../domain/payment.ts'
import { REFUND_STATUSES } from '../domain/refund.ts'
import type { RefundView } from '../ports.ts'
import type { PaymentDeps } from '../deps.ts'

/** The payments context's request and response schemas, views and error statuses (all its routes). */

export const Reference = z.string().regex(/^TXN-[0-9A-HJKMNP-TV-Z]{26}$/, 'a TXN- reference')
export const OrderParam = z.object({ order_id: prefixedId('ord') })
export const ReferenceParam = z.object({ reference: Reference })
export const PaymentParam = z.object({ payment_id: prefixedId('pay') })

export const InitializePaymentRequest = z.strictObject({
  email: z.email().max(254).optional().describe("payer's email, when the service does not know it"),
})
export const RefundRequest = z.strictObject({
  payment_id: prefixedId('pay'),
  amount: z.number().int().min(1).max(PG_INTEGER_MAX).describe('minor units; at most what is left to refund'),
  currency: currencyCode.optional(),
  reason: text(500),
})

export const PaymentView = z.object({
  payment_id: z.string(),
  order_id: z.string(),
  reference: z.string(),
  status: z.enum(PAYMENT_STATUSES),
  amount: z.number().int(),
  currency: z.string(),
  created_at: z.string(),
})
export const RefundViewSchema = z.object({
  refund_id: z.string(),
  payment_id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  reason: z.string(),
  status: z.enum(REFUND_STATUSES),
  gateway_refund_id: z.string().nullable(),
  failure_reason: z.string().nullable(),
  created_at: z.string(),
})
export const IntentView = z.object({ payment_id: z.string(), reference: z.string(), authorization_url: z.string(), reused: z.boolean() })

export const paymentView = (p: Payment): z.infer<typeof PaymentView> => ({
  payment_id: p.id,
  order_id: p.orderId,
  reference: p.reference,
  status: p.status,
  amount: p.amount.amount,
  currency: p.amount.currency,
  created_at: p.createdAt.toISOString(),
})
export const refundView = (r: RefundView): z.infer<typeof RefundViewSchema> => ({
  refund_id: r.id,
  payment_id: r.paymentId,
  amount: r.amount.amount,
  currency: r.amount.currency,
  reason: r.reason,
  status: r.status,
  gateway_refund_id: r.gatewayRefundId,
  failure_reason: r.failureReason,
  created_at: r.createdAt.toISOString(),
})

export const STATUS: Record<PaymentErrorCode, ContentfulStatusCode> = {
  ORDER_NOT_FOUND: 404,
  ORDER_NOT_PAYABLE: 409,
  ORDER_EXPIRED: 409,
  PAYMENT_INIT_IN_PROGRESS: 409,
  EMAIL_REQUIRED: 422,
  GATEWAY_ERROR: 502,
  PAYMENT_NOT_FOUND: 404,
  PAYMENT_NOT_REFUNDABLE: 409,
  REFUND_EXCEEDS_REMAINING: 422,
  CURRENCY_MISMATCH: 422,
}

/** Payments need Paystack's secret key; without it these routes say so instead of failing later. */
export function paymentsOf(deps: Deps): PaymentDeps {
  if (!deps.payments) throw new HttpError(503, 'PAYMENTS_NOT_CONFIGURED', 'Set PAYSTACK_SECRET_KEY to enable payments')
  return deps.payments
}
