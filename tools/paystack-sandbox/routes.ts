/** Request routing: Paystack's API, the checkout page, and the control API. */
import type { IncomingMessage } from 'node:http'
import { sendJson, type Handler } from '../shared/http-kit.ts'
import { authError } from './auth.ts'
import { handleCheckout } from './checkout-page.ts'
import type { SandboxContext } from './context.ts'
import { handleControl } from './control.ts'
import { ApiError, type Reply } from './errors.ts'
import { readApiBody, type Input } from './params.ts'
import { createRefund, fetchRefund, listRefunds } from './refunds-api.ts'
import { initialize, verify } from './transactions-api.ts'

interface Route {
  method: 'GET' | 'POST'
  path: RegExp
  /** Fault-injection operation name. */
  operation: string
  handle: (ctx: SandboxContext, param: string, input: Input, query: URLSearchParams) => Reply
}

const API: readonly Route[] = [
  { method: 'POST', path: /^\/transaction\/initialize$/, operation: 'initialize', handle: (ctx, _p, input) => initialize(ctx, input) },
  { method: 'GET', path: /^\/transaction\/verify\/([^/]+)$/, operation: 'verify', handle: (ctx, ref) => verify(ctx, ref) },
  { method: 'POST', path: /^\/refund$/, operation: 'refund', handle: (ctx, _p, input) => createRefund(ctx, input) },
  { method: 'GET', path: /^\/refund$/, operation: 'list_refunds', handle: (ctx, _p, _i, query) => listRefunds(ctx, query) },
  { method: 'GET', path: /^\/refund\/([^/]+)$/, operation: 'fetch_refund', handle: (ctx, id) => fetchRefund(ctx, id) },
]

export function router(ctx: SandboxContext): Handler {
  return async (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const method = req.method ?? 'GET'
    if (ctx.faults.handleControl(req, res, body)) return
    if (url.pathname.startsWith('/__control/')) return handleControl(ctx, method, url, body, res)
    if (url.pathname === '/__health') return sendJson(res, 200, { ok: true })

    const checkout = /^\/checkout\/([^/]+)$/.exec(url.pathname)
    if (checkout) return handleCheckout(ctx, method, decodeURIComponent(checkout[1]!), body, req.socket.remoteAddress, res)

    const matches = API.filter((r) => r.path.test(url.pathname))
    const route = matches.find((r) => r.method === method)
    if (!route) {
      if (matches.length > 0) {
        const allow = matches.map((r) => r.method).join(', ')
        return sendJson(res, 405, { status: false, message: `Method not allowed; use ${allow}` }, { allow })
      }
      return sendJson(res, 404, { status: false, message: `Not found: ${method} ${url.pathname}` })
    }
    if (await ctx.faults.apply(route.operation, res)) return
    const reply = answer(ctx, route, req, url, body)
    sendJson(res, reply.http, reply.body)
  }
}

function answer(ctx: SandboxContext, route: Route, req: IncomingMessage, url: URL, body: Buffer): Reply {
  try {
    const denied = authError(req, ctx.secretKey)
    if (denied) throw denied
    const input = route.method === 'POST' ? readApiBody(req, body) : {}
    if (input === null) return { http: 400, body: { status: false, message: 'Request body must be a JSON object or a form' } }
    const param = decodeURIComponent(route.path.exec(url.pathname)?.[1] ?? '')
    return route.handle(ctx, param, input, url.searchParams)
  } catch (err) {
    if (err instanceof ApiError) return { http: err.http, body: err.body }
    throw err
  }
}
