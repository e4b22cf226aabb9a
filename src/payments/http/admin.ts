import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { ErrorEnvelope, errorResponses, guard, json, jsonBody, refuse, routesOf } from '../../platform/http/route-kit.ts'
import { HttpError } from '../../platform/http/errors.ts'
import { derivedId } from '../../shared/ids.ts'
import type { PaymentId } from '../domain/payment.ts'
import type { RefundId } from '../domain/refund.ts'
import { requestRefund } from '../use-cases/request-refund.ts'
import { PaymentParam, paymentsOf, PaymentView, paymentView, RefundRequest, refundView, RefundViewSchema, STATUS } from './schemas.ts'

/** Refunds and payment lookups for operators (mounted under /api/admin). */

const refund = createRoute({
  method: 'post',
  path: '/refunds',
  summary: 'Refund (part of) a paid payment; Idempotency-Key required',
  tags: ['payments admin'],
  ...guard('admin', { idempotent: 'required' }),
  request: { body: jsonBody(RefundRequest) },
  responses: {
    201: json(z.object({ refund: RefundViewSchema }), 'Refund accepted by Paystack'),
    ...errorResponses(400, 401, 403, 404, 409, 422, 503),
    502: json(ErrorEnvelope, 'Paystack refused the refund (REFUND_FAILED, details.refund) or failed (GATEWAY_ERROR)'),
  },
})

const payment = createRoute({
  method: 'get',
  path: '/payments/{payment_id}',
  summary: 'A payment with its refunds',
  tags: ['payments admin'],
  ...guard('admin'),
  request: { params: PaymentParam },
  responses: {
    200: json(z.object({ payment: PaymentView, refunds: z.array(RefundViewSchema) }), 'Payment and refunds'),
    ...errorResponses(400, 401, 403, 404, 503),
  },
})

export const paymentAdminRoutes = routesOf()
  .openapi(refund, async (c) => {
    const b = c.req.valid('json')
    const actor = `user:${c.var.principal.userId}`
    const result = await requestRefund(paymentsOf(c.var.deps), {
      paymentId: b.payment_id as PaymentId,
      amount: b.amount,
      ...(b.currency && { currency: b.currency }),
      reason: b.reason,
      actor,
      requestId: c.var.requestId,
      // The key (required here) names the refund: a retry after a 503 (a timeout: did Paystack
      // refund?) finds the refund the first attempt held instead of holding and sending another.
      refundId: (await derivedId(
        'rfd',
        JSON.stringify([actor, c.req.header('idempotency-key'), b.payment_id, b.amount, b.currency ?? null, b.reason]),
      )) as RefundId,
    })
    if (!result.ok) refuse(result.error, STATUS)
    const r = result.value
    if (r.status === 'failed') {
      // Answered, not thrown: the failed refund is part of the answer (details.refund).
      return c.json(
        {
          error: {
            code: 'REFUND_FAILED',
            message: `Paystack refused the refund: ${r.failureReason ?? 'unknown'}`,
            request_id: c.var.requestId,
            details: { refund: refundView(r) },
          },
        },
        502,
      )
    }
    return c.json({ refund: refundView(r) }, 201)
  })
  .openapi(payment, async (c) => {
    const deps = paymentsOf(c.var.deps)
    const p = await deps.store.findById(c.req.valid('param').payment_id as PaymentId)
    if (!p) throw new HttpError(404, 'PAYMENT_NOT_FOUND', 'Payment not found')
    return c.json({ payment: paymentView(p), refunds: (await deps.store.refundsOfPayment(p.id)).map(refundView) }, 200)
  })
