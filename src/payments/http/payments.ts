import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import type { Deps } from '../../container.ts'
import type { OrderId } from '../../orders/domain/order.ts'
import { HttpError } from '../../platform/http/errors.ts'
import { errorResponses, guard, json, jsonBody, refuse, routesOf } from '../../platform/http/route-kit.ts'
import type { Payment } from '../domain/payment.ts'
import { applyVerifiedCharge } from '../use-cases/apply-verified-charge.ts'
import { initializePayment } from '../use-cases/initialize-payment.ts'
import { invoiceKey } from '../use-cases/payment-jobs.ts'
import {
  InitializePaymentRequest,
  IntentView,
  OrderParam,
  paymentsOf,
  PaymentView,
  paymentView,
  ReferenceParam,
  STATUS,
} from './schemas.ts'

/** A buyer's payments (mounted under /api/v1): pay an order, read and verify the payment, the invoice. */

async function ownPayment(deps: Deps, userId: string, reference: string): Promise<Payment> {
  const p = await paymentsOf(deps).store.findByReference(reference)
  if (!p || p.userId !== userId) throw new HttpError(404, 'PAYMENT_NOT_FOUND', 'Payment not found')
  return p
}

const initialize = createRoute({
  method: 'post',
  path: '/orders/{order_id}/payments',
  summary: 'Initialize a Paystack payment for my unpaid order (one live transaction per order)',
  tags: ['payments'],
  ...guard('user', { idempotent: true }),
  request: { params: OrderParam, body: jsonBody(InitializePaymentRequest) },
  responses: {
    201: json(IntentView, 'Created: open authorization_url'),
    200: json(IntentView, 'The live intent again'),
    ...errorResponses(400, 401, 404, 409, 422, 502, 503),
  },
})

const byReference = createRoute({
  method: 'get',
  path: '/payments/{reference}',
  summary: 'My payment by reference',
  tags: ['payments'],
  ...guard('user'),
  request: { params: ReferenceParam },
  responses: { 200: json(z.object({ payment: PaymentView }), 'The payment'), ...errorResponses(400, 401, 404, 503) },
})

const verify = createRoute({
  method: 'post',
  path: '/payments/{reference}/verify',
  summary: "Ask Paystack's verify API and settle through the webhook's code path",
  tags: ['payments'],
  ...guard('user'),
  request: { params: ReferenceParam },
  responses: { 200: json(z.object({ outcome: z.string(), payment: PaymentView }), 'Outcome'), ...errorResponses(400, 401, 404, 503) },
})

const invoice = createRoute({
  method: 'get',
  path: '/orders/{order_id}/invoice',
  summary: 'The HTML invoice of my paid order',
  tags: ['payments'],
  ...guard('user'),
  request: { params: OrderParam },
  responses: {
    200: { description: 'text/html invoice', content: { 'text/html': { schema: z.string() } } },
    ...errorResponses(400, 401, 404),
  },
})

export const paymentRoutes = routesOf()
  .openapi(initialize, async (c) => {
    const { order_id } = c.req.valid('param')
    const { email } = c.req.valid('json')
    const result = await initializePayment(paymentsOf(c.var.deps), {
      orderId: order_id as OrderId,
      userId: c.var.principal.userId,
      ...(email && { email }),
      requestId: c.var.requestId,
    })
    if (!result.ok) refuse(result.error, STATUS)
    const i = result.value
    const body = { payment_id: i.paymentId, reference: i.reference, authorization_url: i.authorizationUrl, reused: i.reused }
    return i.reused ? c.json(body, 200) : c.json(body, 201)
  })
  .openapi(byReference, async (c) => {
    return c.json({ payment: paymentView(await ownPayment(c.var.deps, c.var.principal.userId, c.req.valid('param').reference)) }, 200)
  })
  .openapi(verify, async (c) => {
    const userId = c.var.principal.userId
    const p = await ownPayment(c.var.deps, userId, c.req.valid('param').reference)
    const deps = paymentsOf(c.var.deps)
    const outcome = await applyVerifiedCharge(deps, p.reference, { actor: `user:${userId}`, requestId: c.var.requestId })
    const now = await deps.store.findById(p.id)
    return c.json({ outcome: outcome.kind, payment: paymentView(now ?? p) }, 200)
  })
  .openapi(invoice, async (c) => {
    const order = await c.var.deps.orders.orders.findForUser(c.req.valid('param').order_id as OrderId, c.var.principal.userId)
    if (!order) throw new HttpError(404, 'ORDER_NOT_FOUND', 'Order not found')
    const file = await c.var.deps.files.get(invoiceKey(order.id))
    if (!file) throw new HttpError(404, 'INVOICE_NOT_READY', 'The invoice is generated shortly after payment')
    return c.body(file.body, 200, { 'content-type': file.contentType })
  })
