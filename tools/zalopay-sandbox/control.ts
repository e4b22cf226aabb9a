/**
 * The /__control API tests drive instead of a human or the real ZaloPay: settle orders without a
 * browser, replay / forge / suppress callbacks, settle refunds, inspect and reset state.
 * (/__control/faults is the shared FaultPlan contract, routed before this.)
 */
import type { ServerResponse } from 'node:http'
import { sendJson } from '../shared/http-kit.ts'
import type { SandboxContext } from './context.ts'
import { readJsonBody } from './params.ts'
import { OUTCOMES, SettleError, settleOrder, type Outcome } from './settlement.ts'
import { effectiveStatus, refundStatus, type Order, type Refund } from './store.ts'

export async function handleControl(ctx: SandboxContext, method: string, url: URL, body: Buffer, res: ServerResponse): Promise<void> {
  const path = url.pathname
  const input = readJsonBody(body)
  if (input === null) return sendJson(res, 400, { error: 'body must be a JSON object' })
  const str = (k: string) => (typeof input[k] === 'string' ? input[k] : undefined)

  const settle = /^\/__control\/orders\/([^/]+)\/settle$/.exec(path)
  if (settle && method === 'POST') {
    const order = ctx.store.orders.get(decodeURIComponent(settle[1]!))
    if (!order) return sendJson(res, 404, { error: 'order not found' })
    const outcome = (str('outcome') ?? '') as Outcome
    if (!OUTCOMES.includes(outcome)) return sendJson(res, 400, { error: `outcome must be one of ${OUTCOMES.join(', ')}` })
    const amount = input['amount']
    if (amount !== undefined && !(Number.isSafeInteger(amount) && (amount as number) > 0)) {
      return sendJson(res, 400, { error: 'amount must be a positive integer' })
    }
    const sub = input['sub_return_code']
    if (sub !== undefined && !Number.isInteger(sub)) return sendJson(res, 400, { error: 'sub_return_code must be an integer' })
    try {
      const callback = await settleOrder(ctx, order, outcome, {
        ...(amount !== undefined && { amount: amount as number }),
        ...(sub !== undefined && { failure: { code: sub as number, message: `Injected failure ${String(sub)}` } }),
      })
      return sendJson(res, 200, { order: orderView(ctx, order), ...(callback && { callback }) })
    } catch (err) {
      if (err instanceof SettleError) return sendJson(res, 409, { error: err.message })
      throw err
    }
  }

  const refundSettle = /^\/__control\/refunds\/([^/]+)\/settle$/.exec(path)
  if (refundSettle && method === 'POST') {
    const refund = ctx.store.refunds.get(decodeURIComponent(refundSettle[1]!))
    if (!refund) return sendJson(res, 404, { error: 'refund not found' })
    const outcome = str('outcome')
    if (outcome !== 'success' && outcome !== 'failed') return sendJson(res, 400, { error: 'outcome must be success or failed' })
    const current = refundStatus(refund, ctx.now())
    if (current !== 'processing') return sendJson(res, 409, { error: `refund is already ${current}` })
    refund.forced = outcome
    return sendJson(res, 200, { refund: refundView(ctx, refund) })
  }

  if (path === '/__control/callbacks' && method === 'GET') {
    const id = url.searchParams.get('app_trans_id')
    return sendJson(res, 200, { deliveries: ctx.callbacks.log.filter((d) => id === null || d.app_trans_id === id) })
  }

  if (path === '/__control/callbacks/suppress' && method === 'POST') {
    const id = str('app_trans_id')
    if (!id) return sendJson(res, 400, { error: 'app_trans_id is required' })
    ctx.callbacks.suppress(id)
    return sendJson(res, 200, { suppressed: ctx.callbacks.suppressed })
  }

  if (path === '/__control/callbacks/replay' && method === 'POST') {
    const order = ctx.store.orders.get(str('app_trans_id') ?? '')
    if (!order?.callbackBody) return sendJson(res, 404, { error: 'no paid order with that app_trans_id' })
    const target = str('url') ?? order.callbackUrl ?? ctx.callbackUrl
    if (!target) return sendJson(res, 400, { error: 'no callback URL: give url, or callback_url at create, or option callbackUrl' })
    return sendJson(res, 200, { delivery: await ctx.callbacks.sendOnce('replay', order.appTransId, target, order.callbackBody) })
  }

  if (path === '/__control/callbacks/send' && method === 'POST') {
    const data = input['data']
    if (typeof data !== 'string' && (typeof data !== 'object' || data === null)) {
      return sendJson(res, 400, { error: 'data must be an object (serialised for you) or the exact data string' })
    }
    const dataString = typeof data === 'string' ? data : JSON.stringify(data)
    const appTransId = appTransIdOf(dataString)
    const order = appTransId ? ctx.store.orders.get(appTransId) : undefined
    const target = str('url') ?? order?.callbackUrl ?? ctx.callbackUrl
    if (!target) return sendJson(res, 400, { error: 'no callback URL: give url, or use an order with callback_url, or option callbackUrl' })
    const body = ctx.callbacks.envelope(dataString, str('mac'))
    return sendJson(res, 200, { delivery: await ctx.callbacks.sendOnce('custom', appTransId ?? null, target, body) })
  }

  if (path === '/__control/state' && method === 'GET') {
    return sendJson(res, 200, {
      app_id: ctx.appId,
      orders: [...ctx.store.orders.values()].map((o) => orderView(ctx, o)),
      refunds: [...ctx.store.refunds.values()].map((r) => refundView(ctx, r)),
      suppressed_callbacks: ctx.callbacks.suppressed,
      deliveries: ctx.callbacks.log.length,
    })
  }

  if (path === '/__control/reset' && method === 'DELETE') {
    ctx.store.clear()
    ctx.callbacks.reset()
    ctx.faults.clear()
    return sendJson(res, 200, { ok: true })
  }

  return sendJson(res, 404, { error: `unknown control route ${method} ${path}` })
}

function orderView(ctx: SandboxContext, o: Order) {
  const { callbackBody: _body, failure, ...rest } = o
  return {
    ...rest,
    status: effectiveStatus(o, ctx.now()),
    ...(failure && { sub_return_code: failure.code }),
    order_url: `${ctx.publicUrl}/pay/${o.zpTransToken}`,
  }
}

function refundView(ctx: SandboxContext, r: Refund) {
  const { forced: _forced, ...rest } = r
  return { ...rest, status: refundStatus(r, ctx.now()) }
}

function appTransIdOf(data: string): string | undefined {
  try {
    const id = (JSON.parse(data) as { app_trans_id?: unknown }).app_trans_id
    return typeof id === 'string' ? id : undefined
  } catch {
    return undefined
  }
}
