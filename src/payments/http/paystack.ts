import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { HttpError } from '../../platform/http/errors.ts'
import { escapeHtml } from '../../platform/http/html.ts'
import { errorResponses, guard, json, routesOf } from '../../platform/http/route-kit.ts'
import type { PaystackEvent } from '../domain/webhook-event.ts'
import { applyVerifiedCharge } from '../use-cases/apply-verified-charge.ts'
import { handlePaystackEvent } from '../use-cases/handle-webhook.ts'
import { paymentsOf, Reference } from './schemas.ts'

/** What Paystack calls (its webhook) and where it sends the browser back (mounted at the root). */

const PaystackEventBody = z.object({ event: z.string().min(1), data: z.record(z.string(), z.unknown()) })
const WebhookAnswer = z.object({
  status: z.enum(['processed', 'duplicate', 'ignored']),
  outcome: z.string().optional(),
  reason: z.string().optional(),
})

// No `request.body`: a validator would consume the body, and the signature is an HMAC of its raw
// bytes. The body ({event, data}) is described here and parsed by the handler after the check.
const webhook = createRoute({
  method: 'post',
  path: '/webhooks/paystack',
  summary: 'Paystack events (x-paystack-signature: HMAC-SHA512 of the raw body); applied once',
  description: 'The body is a Paystack event `{event, data}`, read raw: its signature is checked over the exact bytes before it is parsed.',
  tags: ['payments'],
  ...guard('signature'),
  responses: { 200: json(WebhookAnswer, '{status: processed | duplicate | ignored}'), ...errorResponses(400, 401, 500, 503) },
})

export const paystackWebhookRoutes = routesOf().openapi(webhook, async (c) => {
  const deps = paymentsOf(c.var.deps)
  const raw = await c.req.text()
  if (!(await deps.gateway.verifySignature(raw, c.req.header('x-paystack-signature') ?? null))) {
    c.var.logger.warn('paystack webhook with a bad signature refused')
    throw new HttpError(401, 'SIGNATURE_INVALID', 'x-paystack-signature does not match the body')
  }
  const parsed = PaystackEventBody.safeParse(safeJson(raw))
  if (!parsed.success) throw new HttpError(400, 'EVENT_MALFORMED', 'Expected {event, data}')
  const answer = await handlePaystackEvent(deps, parsed.data as PaystackEvent, c.var.requestId)
  c.var.logger.info('paystack webhook', { event: parsed.data.event, ...answer })
  return c.json(answer, 200)
})

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return null
  }
}

const malformedReference = () => new HttpError(400, 'VALIDATION_FAILED', 'reference missing or malformed')

const ReturnQuery = z.object({
  reference: z.string().optional().describe('the TXN- reference of the payment'),
  trxref: z.string().optional().describe("Paystack's name for the same reference (used when reference is absent)"),
})

const paymentReturn = createRoute({
  method: 'get',
  path: '/payments/return',
  summary: 'Browser return from Paystack checkout (?reference=)',
  tags: ['payments'],
  ...guard('none'),
  request: { query: ReturnQuery },
  responses: {
    200: { description: 'HTML status page', content: { 'text/html': { schema: z.string() } } },
    ...errorResponses(400, 503),
  },
})

/** Where Paystack sends the browser back: settles through the same path, then says how it went. */
export const paymentReturnRoutes = routesOf().openapi(
  paymentReturn,
  async (c) => {
    // The first value of `reference`, else of `trxref` (c.req.query), checked here with one message.
    const reference = Reference.safeParse(c.req.query('reference') ?? c.req.query('trxref'))
    if (!reference.success) throw malformedReference()
    const deps = paymentsOf(c.var.deps)
    const outcome = await applyVerifiedCharge(deps, reference.data, { actor: 'browser:return', requestId: c.var.requestId })
    const p = await deps.store.findByReference(reference.data)
    const status = p?.status ?? 'unknown'
    return c.html(`<!doctype html><html><head><meta charset="utf-8"><title>Payment ${escapeHtml(status)}</title></head>
<body data-status="${escapeHtml(status)}"><h1>Payment ${escapeHtml(status)}</h1><p>Reference ${escapeHtml(reference.data)} (${escapeHtml(outcome.kind)})</p></body></html>`)
  },
  // The query schema documents the parameters; the handler checks them (a repeated parameter, the
  // only thing this schema refuses, gets the handler's own error).
  (result) => {
    if (!result.success) throw malformedReference()
    return undefined
  },
)
