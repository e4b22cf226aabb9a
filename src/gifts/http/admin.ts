import { createRoute } from '@hono/zod-openapi'
import { ErrorEnvelope, errorResponses, guard, json, jsonBody, routesOf } from '../../platform/http/route-kit.ts'
import { issueGifts } from '../use-cases/issue-gifts.ts'
import { refuseGift } from './refusals.ts'
import { giftView, IssueGiftsRequest, IssueGiftsResponse } from './schemas.ts'

/** Issuing gift codes (the operator's side, mounted under /api/admin). */

const issue = createRoute({
  method: 'post',
  path: '/gifts',
  summary: 'Issue gift codes in bulk (all or none)',
  tags: ['gifts admin'],
  ...guard('admin', { idempotent: true }),
  request: { body: jsonBody(IssueGiftsRequest) },
  responses: {
    201: json(IssueGiftsResponse, 'Issued'),
    ...errorResponses(400, 401, 403),
    409: json(ErrorEnvelope, 'GIFT_EXISTS (details.gift_ids: the ids already issued; none was issued), or IDEMPOTENCY_IN_FLIGHT'),
    ...errorResponses(422),
  },
})

export const giftIssueRoutes = routesOf().openapi(issue, async (c) => {
  const b = c.req.valid('json')
  const result = await issueGifts(c.var.deps.gifts, {
    ...(b.gift_ids ? { giftIds: b.gift_ids } : { count: b.count! }),
    prefix: b.prefix,
    amount: b.amount,
    currency: b.currency,
    validFrom: b.valid_from ? new Date(b.valid_from) : null,
    validUntil: b.valid_until ? new Date(b.valid_until) : null,
    actor: `user:${c.var.principal.userId}`,
    requestId: c.var.requestId,
  })
  if (!result.ok) refuseGift(result.error)
  return c.json({ gifts: result.value.map(giftView) }, 201)
})
