import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import { Id } from '../catalog/http.ts'
import type { OrderId } from '../orders/domain/order.ts'
import type { AppEnv } from '../platform/http/app-env.ts'
import { requireAdmin, requireUser } from '../platform/http/auth-middleware.ts'
import { domainErrorResponse, HttpError } from '../platform/http/errors.ts'
import { escapeHtml } from '../platform/http/html.ts'
import { idempotency } from '../platform/http/idempotency.ts'
import { errors, type RouteDoc } from '../platform/http/openapi.ts'
import { PG_INTEGER_MAX, validate } from '../platform/http/validation.ts'
import { derivedId } from '../shared/ids.ts'
import type { PaymentErrorCode } from './domain/errors.ts'
import { PAYMENT_STATUSES, type Payment, type PaymentId } from './domain/payment.ts'
import { REFUND_STATUSES, type RefundId } from './domain/refund.ts'
import type { PaystackEvent } from './domain/webhook-event.ts'
import type { RefundView } from './ports.ts'
import { applyVerifiedCharge } from './use-cases/apply-verified-charge.ts'
import { handlePaystackEvent } from './use-cases/handle-webhook.ts'
import { initializePayment } from './use-cases/initialize-payment.ts'
import type { PaymentDeps } from './use-cases/payment-deps.ts'
import { invoiceKey } from './use-cases/payment-jobs.ts'
import { requestRefund } from './use-cases/request-refund.ts'

const Reference = z.string().regex(/^TXN-[0-9A-HJKMNP-TV-Z]{26}$/, 'a TXN- reference')
export const InitializePaymentRequest = z.strictObject({
  email: z.email().max(254).optional().describe("payer's email, when the service does not know it"),
})
export const RefundRequest = z.strictObject({
  payment_id: Id('pay'),
  amount: z.number().int().min(1).max(PG_INTEGER_MAX).describe('minor units; at most what is left to refund'),
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  reason: z.string().trim().min(1).max(500),
})
const OrderParam = z.object({ order_id: Id('ord') })
const ReferenceParam = z.object({ reference: Reference })
const PaymentParam = z.object({ payment_id: Id('pay') })

const PaymentView = z.object({
  payment_id: z.string(),
  order_id: z.string(),
  reference: z.string(),
  status: z.enum(PAYMENT_STATUSES),
  amount: z.number().int(),
  currency: z.string(),
  created_at: z.string(),
})
const RefundViewSchema = z.object({
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
const IntentView = z.object({ payment_id: z.string(), reference: z.string(), authorization_url: z.string(), reused: z.boolean() })

const paymentView = (p: Payment): z.infer<typeof PaymentView> => ({
  payment_id: p.id,
  order_id: p.orderId,
  reference: p.reference,
  status: p.status,
  amount: p.amount.amount,
  currency: p.amount.currency,
  created_at: p.createdAt.toISOString(),
})
const refundView = (r: RefundView): z.infer<typeof RefundViewSchema> => ({
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

const STATUS: Record<PaymentErrorCode, ContentfulStatusCode> = {
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
function payments(c: Context<AppEnv>): PaymentDeps {
  const deps = c.var.deps.payments
  if (!deps) throw new HttpError(503, 'PAYMENTS_NOT_CONFIGURED', 'Set PAYSTACK_SECRET_KEY to enable payments')
  return deps
}

async function ownPayment(c: Context<AppEnv>, reference: string): Promise<Payment> {
  const p = await payments(c).store.findByReference(reference)
  if (!p || p.userId !== c.var.principal!.userId) throw new HttpError(404, 'PAYMENT_NOT_FOUND', 'Payment not found')
  return p
}

export const paymentRoutes = new Hono<AppEnv>()
  .post('/orders/:order_id/payments', requireUser, idempotency(), validate('param', OrderParam), validate('json', InitializePaymentRequest), async (c) => {
    const result = await initializePayment(payments(c), {
      orderId: c.req.valid('param').order_id as OrderId,
      userId: c.var.principal!.userId,
      ...(c.req.valid('json').email && { email: c.req.valid('json').email! }),
      requestId: c.var.requestId,
    })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    const i = result.value
    return c.json({ payment_id: i.paymentId, reference: i.reference, authorization_url: i.authorizationUrl, reused: i.reused }, i.reused ? 200 : 201)
  })
  .get('/payments/:reference', requireUser, validate('param', ReferenceParam), async (c) => {
    return c.json({ payment: paymentView(await ownPayment(c, c.req.valid('param').reference)) })
  })
  .post('/payments/:reference/verify', requireUser, validate('param', ReferenceParam), async (c) => {
    const p = await ownPayment(c, c.req.valid('param').reference)
    const outcome = await applyVerifiedCharge(payments(c), p.reference, { actor: `user:${c.var.principal!.userId}`, requestId: c.var.requestId })
    const now = await payments(c).store.findById(p.id)
    return c.json({ outcome: outcome.kind, payment: paymentView(now ?? p) })
  })
  .get('/orders/:order_id/invoice', requireUser, validate('param', OrderParam), async (c) => {
    const order = await c.var.deps.commerce.orders.orders.findForUser(c.req.valid('param').order_id as OrderId, c.var.principal!.userId)
    if (!order) throw new HttpError(404, 'ORDER_NOT_FOUND', 'Order not found')
    const file = await c.var.deps.files.get(invoiceKey(order.id))
    if (!file) throw new HttpError(404, 'INVOICE_NOT_READY', 'The invoice is generated shortly after payment')
    return c.body(file.body, 200, { 'content-type': file.contentType })
  })

/** Paystack's webhook: the signature is checked over the raw bytes before anything is parsed. */
export const paystackWebhookRoutes = new Hono<AppEnv>().post('/webhooks/paystack', async (c) => {
  const deps = payments(c)
  const raw = await c.req.text()
  if (!(await deps.gateway.verifySignature(raw, c.req.header('x-paystack-signature') ?? null))) {
    c.var.logger.warn('paystack webhook with a bad signature refused')
    throw new HttpError(401, 'SIGNATURE_INVALID', 'x-paystack-signature does not match the body')
  }
  const parsed = z.object({ event: z.string().min(1), data: z.record(z.string(), z.unknown()) }).safeParse(safeJson(raw))
  if (!parsed.success) throw new HttpError(400, 'EVENT_MALFORMED', 'Expected {event, data}')
  const answer = await handlePaystackEvent(deps, parsed.data as PaystackEvent, c.var.requestId)
  c.var.logger.info('paystack webhook', { event: parsed.data.event, ...answer })
  return c.json(answer)
})

/** Where Paystack sends the browser back: settles through the same path, then says how it went. */
export const paymentReturnRoutes = new Hono<AppEnv>().get('/payments/return', async (c) => {
  const reference = Reference.safeParse(c.req.query('reference') ?? c.req.query('trxref'))
  if (!reference.success) throw new HttpError(400, 'VALIDATION_FAILED', 'reference missing or malformed')
  const deps = payments(c)
  const outcome = await applyVerifiedCharge(deps, reference.data, { actor: 'browser:return', requestId: c.var.requestId })
  const p = await deps.store.findByReference(reference.data)
  const status = p?.status ?? 'unknown'
  return c.html(`<!doctype html><html><head><meta charset="utf-8"><title>Payment ${escapeHtml(status)}</title></head>
<body data-status="${escapeHtml(status)}"><h1>Payment ${escapeHtml(status)}</h1><p>Reference ${escapeHtml(reference.data)} (${escapeHtml(outcome.kind)})</p></body></html>`)
})

export const paymentAdminRoutes = new Hono<AppEnv>()
  .use('/refunds', requireAdmin)
  .use('/payments/*', requireAdmin)
  .post('/refunds', idempotency({ required: true }), validate('json', RefundRequest), async (c) => {
    const b = c.req.valid('json')
    const actor = `user:${c.var.principal!.userId}`
    const result = await requestRefund(payments(c), {
      paymentId: b.payment_id as PaymentId,
      amount: b.amount,
      ...(b.currency && { currency: b.currency }),
      reason: b.reason,
      actor,
      requestId: c.var.requestId,
      // The key (required here) names the refund: a retry after a 503 (a timeout: did Paystack
      // refund?) finds the refund the first attempt held instead of holding and sending another.
      refundId: (await derivedId('rfd', JSON.stringify([actor, c.req.header('idempotency-key'), b.payment_id, b.amount, b.currency ?? null, b.reason]))) as RefundId,
    })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    const r = result.value
    if (r.status === 'failed') {
      return c.json({ error: { code: 'REFUND_FAILED', message: `Paystack refused the refund: ${r.failureReason ?? 'unknown'}`, request_id: c.var.requestId, details: { refund: refundView(r) } } }, 502)
    }
    return c.json({ refund: refundView(r) }, 201)
  })
  .get('/payments/:payment_id', validate('param', PaymentParam), async (c) => {
    const deps = payments(c)
    const p = await deps.store.findById(c.req.valid('param').payment_id as PaymentId)
    if (!p) throw new HttpError(404, 'PAYMENT_NOT_FOUND', 'Payment not found')
    return c.json({ payment: paymentView(p), refunds: (await deps.store.refundsOfPayment(p.id)).map(refundView) })
  })

/** The email outbox as a page, for local development (DEV_MAILBOX=true). */
export const devMailboxRoutes = new Hono<AppEnv>().get('/dev/mailbox', async (c) => {
  if (c.var.deps.config.DEV_MAILBOX !== 'true') throw new HttpError(404, 'NOT_FOUND', 'The dev mailbox is disabled')
  const mails = await payments(c).emails.recent(100)
  const items = mails
    .map((m) => `<article data-key="${escapeHtml(m.deduplicationKey)}"><h2>${escapeHtml(m.subject)}</h2><p>To ${escapeHtml(m.to)} · ${m.createdAt.toISOString()}</p><pre>${escapeHtml(m.body)}</pre></article>`)
    .join('\n')
  return c.html(`<!doctype html><html><head><meta charset="utf-8"><title>Dev mailbox</title></head><body><h1>Dev mailbox (${mails.length})</h1>${items}</body></html>`)
})

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return null
  }
}

export const paymentDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/v1/orders/:order_id/payments',
    summary: 'Initialize a Paystack payment for my unpaid order (one live transaction per order)',
    tag: 'payments',
    auth: 'user',
    idempotent: true,
    params: OrderParam,
    body: InitializePaymentRequest,
    responses: { 201: { description: 'Created: open authorization_url', schema: IntentView }, 200: { description: 'The live intent again', schema: IntentView }, ...errors(400, 401, 404, 409, 422, 502, 503) },
  },
  { method: 'get', path: '/api/v1/payments/:reference', summary: 'My payment by reference', tag: 'payments', auth: 'user', params: ReferenceParam, responses: { 200: { description: 'The payment', schema: z.object({ payment: PaymentView }) }, ...errors(401, 404) } },
  {
    method: 'post',
    path: '/api/v1/payments/:reference/verify',
    summary: "Ask Paystack's verify API and settle through the webhook's code path",
    tag: 'payments',
    auth: 'user',
    params: ReferenceParam,
    responses: { 200: { description: 'Outcome', schema: z.object({ outcome: z.string(), payment: PaymentView }) }, ...errors(401, 404, 503) },
  },
  { method: 'get', path: '/api/v1/orders/:order_id/invoice', summary: 'The HTML invoice of my paid order', tag: 'payments', auth: 'user', params: OrderParam, responses: { 200: { description: 'text/html invoice' }, ...errors(401, 404) } },
  {
    method: 'post',
    path: '/webhooks/paystack',
    summary: 'Paystack events (x-paystack-signature: HMAC-SHA512 of the raw body); applied once',
    tag: 'payments',
    auth: 'signature',
    responses: { 200: { description: '{status: processed | duplicate | ignored}' }, ...errors(400, 401, 500, 503) },
  },
  { method: 'get', path: '/payments/return', summary: 'Browser return from Paystack checkout (?reference=)', tag: 'payments', auth: 'none', responses: { 200: { description: 'HTML status page' }, ...errors(400) } },
  {
    method: 'post',
    path: '/api/admin/refunds',
    summary: 'Refund (part of) a paid payment; Idempotency-Key required',
    tag: 'payments admin',
    auth: 'admin',
    idempotent: true,
    body: RefundRequest,
    responses: { 201: { description: 'Refund accepted by Paystack', schema: z.object({ refund: RefundViewSchema }) }, ...errors(400, 401, 403, 404, 409, 422, 502, 503) },
  },
  { method: 'get', path: '/api/admin/payments/:payment_id', summary: 'A payment with its refunds', tag: 'payments admin', auth: 'admin', params: PaymentParam, responses: { 200: { description: 'Payment and refunds' }, ...errors(401, 403, 404) } },
]
