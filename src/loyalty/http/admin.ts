import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { HttpError } from '../../platform/http/errors.ts'
import { errorResponses, guard, json, jsonBody, refuse, routesOf } from '../../platform/http/route-kit.ts'
import type { MerchantCashbackId } from '../domain/cashback.ts'
import { grantPoints } from '../use-cases/points.ts'
import { startReversal } from '../use-cases/start-reversal.ts'
import { pointsPage } from './points.ts'
import { actorOf, AdminCashbackListQuery, CashbackParam, GrantRequest, PointsQuery, ReversalRequest, STATUS, UserParam } from './schemas.ts'
import { AdminCashbackView, adminCashbackView, EntryView, entryView, PointsResponse, ReversalView, reversalView } from './views.ts'

/** Points and cashbacks for operators (seeds 000/001), mounted under /api/admin. */

const GrantResponse = z.object({ entry: EntryView, balance: z.number().int(), replayed: z.boolean() })
const ReversalResponse = z.object({ reversal: ReversalView, replayed: z.boolean() })

const grant = createRoute({
  method: 'post',
  path: '/loyalty/points',
  summary: 'Grant (or correct) points: one ledger entry per idempotency key',
  tags: ['loyalty admin'],
  ...guard('admin', { idempotent: true }),
  request: { body: jsonBody(GrantRequest) },
  responses: {
    201: json(GrantResponse, 'Granted'),
    200: json(GrantResponse, 'Already granted with this key'),
    ...errorResponses(400, 401, 403, 409, 422),
  },
})

const userPoints = createRoute({
  method: 'get',
  path: '/loyalty/users/{user_id}/points',
  summary: 'A user’s balance and ledger',
  tags: ['loyalty admin'],
  ...guard('admin'),
  request: { params: UserParam, query: PointsQuery },
  responses: { 200: json(PointsResponse, 'Balance and entries'), ...errorResponses(400, 401, 403) },
})

const cashbacks = createRoute({
  method: 'get',
  path: '/loyalty/cashbacks',
  summary: 'Cashbacks (filter by user and status), newest first',
  tags: ['loyalty admin'],
  ...guard('admin'),
  request: { query: AdminCashbackListQuery },
  responses: {
    200: json(z.object({ cashbacks: z.array(AdminCashbackView), next_before: z.string().nullable() }), 'A page'),
    ...errorResponses(400, 401, 403),
  },
})

const cashback = createRoute({
  method: 'get',
  path: '/loyalty/cashbacks/{merchant_cashback_id}',
  summary: 'A cashback and its reversals',
  tags: ['loyalty admin'],
  ...guard('admin'),
  request: { params: CashbackParam },
  responses: {
    200: json(z.object({ cashback: AdminCashbackView, reversals: z.array(ReversalView) }), 'The cashback'),
    ...errorResponses(400, 401, 403, 404),
  },
})

const reverse = createRoute({
  method: 'post',
  path: '/loyalty/cashbacks/{merchant_cashback_id}/reversals',
  summary: 'Reverse a granted cashback, fully or partly (merchantCashbackReversalId); points return on SUCCESS',
  tags: ['loyalty admin'],
  ...guard('admin', { idempotent: true }),
  request: { params: CashbackParam, body: jsonBody(ReversalRequest) },
  responses: {
    202: json(ReversalResponse, 'Reversal requested'),
    200: json(ReversalResponse, 'Replay of an earlier reversal with this Idempotency-Key'),
    ...errorResponses(400, 401, 403, 404, 409, 422, 503),
  },
})

export const loyaltyAdminPointsRoutes = routesOf()
  .openapi(grant, async (c) => {
    const b = c.req.valid('json')
    const key = b.idempotency_key ?? c.req.header('idempotency-key')
    if (!key)
      throw new HttpError(
        400,
        'IDEMPOTENCY_KEY_REQUIRED',
        'Send idempotency_key (or an Idempotency-Key header): a retried grant must not grant twice',
      )
    const result = await grantPoints(c.var.deps.loyalty, {
      userId: b.user_id,
      points: b.points,
      kind: b.kind,
      reason: b.reason,
      key,
      actor: actorOf(c.var.principal),
      requestId: c.var.requestId,
    })
    if (!result.ok) refuse(result.error, STATUS)
    const { entry, balance, replayed } = result.value
    const body = { entry: entryView(entry), balance, replayed }
    return replayed ? c.json(body, 200) : c.json(body, 201)
  })
  .openapi(userPoints, async (c) => c.json(await pointsPage(c.var.deps.loyalty, c.req.valid('param').user_id, c.req.valid('query')), 200))
  .openapi(cashbacks, async (c) => {
    const q = c.req.valid('query')
    const list = await c.var.deps.loyalty.cashbacks.list({
      limit: q.limit,
      ...(q.user_id && { userId: q.user_id }),
      ...(q.status && { status: q.status }),
      ...(q.before && { before: q.before as MerchantCashbackId }),
    })
    const last = list.at(-1)
    return c.json(
      { cashbacks: list.map(adminCashbackView), next_before: list.length === q.limit && last ? last.merchantCashbackId : null },
      200,
    )
  })
  .openapi(cashback, async (c) => {
    const found = await c.var.deps.loyalty.cashbacks.findWithReversals(c.req.valid('param').merchant_cashback_id as MerchantCashbackId)
    if (!found) throw new HttpError(404, 'CASHBACK_NOT_FOUND', 'Cashback not found')
    return c.json({ cashback: adminCashbackView(found.cashback), reversals: found.reversals.map(reversalView) }, 200)
  })
  .openapi(reverse, async (c) => {
    const b = c.req.valid('json')
    const result = await startReversal(c.var.deps.loyalty, {
      merchantCashbackId: c.req.valid('param').merchant_cashback_id as MerchantCashbackId,
      amount: b.amount ?? null,
      reason: b.reason ?? null,
      requestKey: c.req.header('idempotency-key') ?? null,
      actor: actorOf(c.var.principal),
      requestId: c.var.requestId,
    })
    if (!result.ok) refuse(result.error, STATUS)
    const body = { reversal: reversalView(result.value.reversal), replayed: result.value.replayed }
    return result.value.replayed ? c.json(body, 200) : c.json(body, 202)
  })
