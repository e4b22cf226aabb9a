/** Request routing: ZaloPay's Open API, the payment page, and the control API. */
import { Hono } from 'hono'
import { type NodeEnv, rawBody } from '../shared/http-kit.ts'
import { failure, SUB, type Reply } from './codes.ts'
import type { SandboxContext } from './context.ts'
import { controlRoutes } from './control.ts'
import { createOrder, queryOrder } from './orders-api.ts'
import { readParams, type Params } from './params.ts'
import { handlePaymentPage } from './payment-page.ts'
import { createRefund, queryRefund } from './refunds-api.ts'

/** Path → fault-operation name and handler. */
const API: Record<string, { operation: string; handle: (ctx: SandboxContext, p: Params) => Reply }> = {
  '/v2/create': { operation: 'create', handle: createOrder },
  '/v2/query': { operation: 'query', handle: queryOrder },
  '/v2/refund': { operation: 'refund', handle: createRefund },
  '/v2/query_refund': { operation: 'query_refund', handle: queryRefund },
}

export function router(ctx: SandboxContext): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
    .route('/', ctx.faults.routes())
    .route('/', controlRoutes(ctx))
    .get('/__health', (c) => c.json({ ok: true }))
    .all('/pay/:token', async (c) => handlePaymentPage(ctx, c, c.req.param('token'), await rawBody(c)))
  for (const [path, api] of Object.entries(API)) {
    app
      .post(path, async (c) => {
        const fault = await ctx.faults.respond(api.operation, c)
        if (fault) return fault
        const params = readParams(c.req.url, c.req.header('content-type'), await rawBody(c))
        return c.json(params ? api.handle(ctx, params) : failure(SUB.ILLEGAL_DATA, 'unparseable body'))
      })
      .all(path, (c) => c.json({ error: 'ZaloPay Open API endpoints take POST' }, 405, { allow: 'POST' }))
  }
  return app.all('*', (c) => c.json({ error: `not found: ${c.req.method} ${new URL(c.req.url).pathname}` }, 404))
}
