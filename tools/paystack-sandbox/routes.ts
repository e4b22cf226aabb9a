/** Request routing: Paystack's API, the checkout page, and the control API. */
import { type Context, Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { type NodeEnv, rawBody } from '../shared/http-kit.ts'
import { authError } from './auth.ts'
import { handleCheckout } from './checkout-page.ts'
import type { SandboxContext } from './context.ts'
import { controlRoutes } from './control.ts'
import { ApiError, type Reply } from './errors.ts'
import { readApiBody, type Input } from './params.ts'
import { createRefund, fetchRefund, listRefunds } from './refunds-api.ts'
import { initialize, verify } from './transactions-api.ts'

interface Route {
  method: 'GET' | 'POST'
  path: string
  /** Fault-injection operation name. */
  operation: string
  handle: (ctx: SandboxContext, param: string, input: Input, query: URLSearchParams) => Reply
}

const API: readonly Route[] = [
  { method: 'POST', path: '/transaction/initialize', operation: 'initialize', handle: (ctx, _p, input) => initialize(ctx, input) },
  { method: 'GET', path: '/transaction/verify/:param', operation: 'verify', handle: (ctx, ref) => verify(ctx, ref) },
  { method: 'POST', path: '/refund', operation: 'refund', handle: (ctx, _p, input) => createRefund(ctx, input) },
  { method: 'GET', path: '/refund', operation: 'list_refunds', handle: (ctx, _p, _i, query) => listRefunds(ctx, query) },
  { method: 'GET', path: '/refund/:param', operation: 'fetch_refund', handle: (ctx, id) => fetchRefund(ctx, id) },
]

export function router(ctx: SandboxContext): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
    .route('/', ctx.faults.routes())
    .route('/', controlRoutes(ctx))
    .get('/__health', (c) => c.json({ ok: true }))
    .all('/checkout/:code', async (c) => handleCheckout(ctx, c, c.req.param('code'), await rawBody(c), c.env.incoming.socket.remoteAddress))
  for (const route of API) {
    app.on(route.method, route.path, async (c) => {
      const fault = await ctx.faults.respond(route.operation, c)
      if (fault) return fault
      const reply = await answer(ctx, route, c)
      return c.json(reply.body, reply.http as ContentfulStatusCode)
    })
  }
  // Paystack answers a known path with the wrong method 405, naming the right ones.
  for (const path of new Set(API.map((r) => r.path))) {
    const allow = API.filter((r) => r.path === path)
      .map((r) => r.method)
      .join(', ')
    app.all(path, (c) => c.json({ status: false, message: `Method not allowed; use ${allow}` }, 405, { allow }))
  }
  return app.all('*', (c) => c.json({ status: false, message: `Not found: ${c.req.method} ${new URL(c.req.url).pathname}` }, 404))
}

async function answer(ctx: SandboxContext, route: Route, c: Context<NodeEnv>): Promise<Reply> {
  try {
    const denied = authError(c.req.header('authorization'), ctx.secretKey)
    if (denied) throw denied
    const input = route.method === 'POST' ? readApiBody(c.req.header('content-type'), await rawBody(c)) : {}
    if (input === null) return { http: 400, body: { status: false, message: 'Request body must be a JSON object or a form' } }
    return route.handle(ctx, c.req.param('param') ?? '', input, new URL(c.req.url).searchParams)
  } catch (err) {
    if (err instanceof ApiError) return { http: err.http, body: err.body }
    throw err
  }
}
