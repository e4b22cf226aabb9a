import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { errorResponses, guard, json, jsonBody, refuse, routesOf } from '../../platform/http/route-kit.ts'
import { MAX_EXCHANGE_POINTS, MIN_EXCHANGE_POINTS } from '../domain/cashback.ts'
import { exchangePoints } from '../use-cases/exchange-points.ts'
import { ExchangeRequest, STATUS } from './schemas.ts'
import { cashbackView, ExchangeResponse, LinkView, linkView } from './views.ts'

/** The exchange page's own paths (seed 000), mounted at the root with the seed's paths and field names. */

const PageState = z.object({
  balance: z.number().int(),
  paypay_configured: z.boolean(),
  link: LinkView,
  can_exchange: z.boolean().describe('PayPay configured, linked, and at least min_points'),
  min_points: z.number().int(),
  max_points: z.number().int().describe('the most this user can exchange now'),
})

const page = createRoute({
  method: 'get',
  path: '/mypage/points_exchange',
  summary: 'The exchange page: balance, PayPay link, whether an exchange is possible',
  tags: ['loyalty'],
  ...guard('user'),
  responses: { 200: json(PageState, 'Page state'), ...errorResponses(401) },
})

/** The seed names the exchange both ways; the two paths are one operation. */
const exchangeAt = (path: '/mypage/points_exchange' | '/mypage/point_input') =>
  createRoute({
    method: 'post',
    path,
    summary:
      'Exchange points for PayPay cashback: debit, ledger entry and cashback record in one statement, then the Give job (same merchantCashbackId on every retry)',
    tags: ['loyalty'],
    ...guard('user', { idempotent: true }),
    request: { body: jsonBody(ExchangeRequest) },
    responses: {
      201: json(ExchangeResponse, 'Requested (status requested; PayPay grants asynchronously)'),
      200: json(ExchangeResponse, 'Replay of an earlier exchange with this Idempotency-Key'),
      ...errorResponses(400, 401, 409, 422, 503),
    },
  })

const exchangeRoutes = (path: '/mypage/points_exchange' | '/mypage/point_input') =>
  routesOf().openapi(exchangeAt(path), async (c) => {
    const result = await exchangePoints(c.var.deps.loyalty, {
      userId: c.var.principal.userId,
      points: c.req.valid('json').points,
      requestKey: c.req.header('idempotency-key') ?? null,
      requestId: c.var.requestId,
    })
    if (!result.ok) {
      c.var.logger.info('points exchange refused', { code: result.error.code })
      refuse(result.error, STATUS)
    }
    const body = { cashback: cashbackView(result.value.cashback), replayed: result.value.replayed }
    return result.value.replayed ? c.json(body, 200) : c.json(body, 201)
  })

/** Mounted at the root. */
export const mypageRoutes = routesOf()
  .openapi(page, async (c) => {
    const deps = c.var.deps.loyalty
    const { balance, link } = await deps.ledger.balanceAndLink(c.var.principal.userId)
    const view = linkView(link, deps.clock.now())
    return c.json(
      {
        balance,
        paypay_configured: deps.paypay !== null,
        link: view,
        can_exchange: deps.paypay !== null && view.status === 'linked' && balance >= MIN_EXCHANGE_POINTS,
        min_points: MIN_EXCHANGE_POINTS,
        max_points: Math.min(MAX_EXCHANGE_POINTS, balance),
      },
      200,
    )
  })
  .route('/', exchangeRoutes('/mypage/points_exchange'))
  .route('/', exchangeRoutes('/mypage/point_input'))
