import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { HttpError } from '../../platform/http/errors.ts'
import { errorResponses, guard, json, routesOf } from '../../platform/http/route-kit.ts'
import type { MerchantCashbackId } from '../domain/cashback.ts'
import { CashbackListQuery, CashbackParam } from './schemas.ts'
import { cashbackView, CashbackView } from './views.ts'

/** A user's own cashbacks (seed 000): the list and one of them. */

const list = createRoute({
  method: 'get',
  path: '/paypay/cashbacks',
  summary: 'My cashbacks, newest first',
  tags: ['loyalty'],
  ...guard('user'),
  request: { query: CashbackListQuery },
  responses: {
    200: json(z.object({ cashbacks: z.array(CashbackView), next_before: z.string().nullable() }), 'A page'),
    ...errorResponses(400, 401),
  },
})

const one = createRoute({
  method: 'get',
  path: '/paypay/cashbacks/{merchant_cashback_id}',
  summary: 'One of my cashbacks (404 for anyone else)',
  tags: ['loyalty'],
  ...guard('user'),
  request: { params: CashbackParam },
  responses: { 200: json(z.object({ cashback: CashbackView }), 'The cashback'), ...errorResponses(400, 401, 404) },
})

/** Mounted under /api/v1. */
export const cashbackRoutes = routesOf()
  .openapi(list, async (c) => {
    const q = c.req.valid('query')
    const found = await c.var.deps.loyalty.cashbacks.list({
      userId: c.var.principal.userId,
      limit: q.limit,
      ...(q.status && { status: q.status }),
      ...(q.before && { before: q.before as MerchantCashbackId }),
    })
    const last = found.at(-1)
    return c.json(
      { cashbacks: found.map(cashbackView), next_before: found.length === q.limit && last ? last.merchantCashbackId : null },
      200,
    )
  })
  .openapi(one, async (c) => {
    const found = await c.var.deps.loyalty.cashbacks.findForUser(
      c.req.valid('param').merchant_cashback_id as MerchantCashbackId,
      c.var.principal.userId,
    )
    if (!found) throw new HttpError(404, 'CASHBACK_NOT_FOUND', 'Cashback not found')
    return c.json({ cashback: cashbackView(found) }, 200)
  })
