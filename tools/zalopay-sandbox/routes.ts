/** Request routing: ZaloPay's Open API, the payment page, and the control API. */
import { sendJson, type Handler } from '../shared/http-kit.ts'
import { failure, SUB, type Reply } from './codes.ts'
import type { SandboxContext } from './context.ts'
import { handleControl } from './control.ts'
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

export function router(ctx: SandboxContext): Handler {
  return async (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const method = req.method ?? 'GET'
    if (ctx.faults.handleControl(req, res, body)) return
    if (url.pathname.startsWith('/__control/')) return handleControl(ctx, method, url, body, res)
    if (url.pathname === '/__health') return sendJson(res, 200, { ok: true })

    const api = API[url.pathname]
    if (api) {
      if (method !== 'POST') return sendJson(res, 405, { error: 'ZaloPay Open API endpoints take POST' }, { allow: 'POST' })
      if (await ctx.faults.apply(api.operation, res)) return
      const params = readParams(req, body)
      return sendJson(res, 200, params ? api.handle(ctx, params) : failure(SUB.ILLEGAL_DATA, 'unparseable body'))
    }

    const pay = /^\/pay\/([^/]+)$/.exec(url.pathname)
    if (pay) return handlePaymentPage(ctx, method, decodeURIComponent(pay[1]!), body, res)
    return sendJson(res, 404, { error: `not found: ${method} ${url.pathname}` })
  }
}
