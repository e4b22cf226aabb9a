/**
 * The /__control API tests drive instead of a human or the real ZaloPay: settle orders without a
 * browser, replay / forge / suppress callbacks, settle refunds, inspect and reset state.
 * (/__control/faults is the shared FaultPlan contract, routed before these.)
 */
import type { Hono } from 'hono'
import { type ControlEnv, controlApp } from '../shared/http-kit.ts'
import type { SandboxContext } from './context.ts'
import { OUTCOMES, SettleError, settleOrder, type Outcome } from './settlement.ts'
import { effectiveStatus, refundStatus, type Order, type Refund } from './store.ts'

export function controlRoutes(ctx: SandboxContext): Hono<ControlEnv> {
  return controlApp()
    .post('/__control/orders/:id/settle', async (c) => {
      const input = c.var.input
      const order = ctx.store.orders.get(c.req.param('id'))
      if (!order) return c.json({ error: 'order not found' }, 404)
      const outcome = (str(input, 'outcome') ?? '') as Outcome
      if (!OUTCOMES.includes(outcome)) return c.json({ error: `outcome must be one of ${OUTCOMES.join(', ')}` }, 400)
      const amount = input['amount']
      if (amount !== undefined && !(Number.isSafeInteger(amount) && (amount as number) > 0)) {
        return c.json({ error: 'amount must be a positive integer' }, 400)
      }
      const sub = input['sub_return_code']
      if (sub !== undefined && !Number.isInteger(sub)) return c.json({ error: 'sub_return_code must be an integer' }, 400)
      try {
        const callback = await settleOrder(ctx, order, outcome, {
          ...(amount !== undefined && { amount: amount as number }),
          ...(sub !== undefined && { failure: { code: sub as number, message: `Injected failure ${String(sub)}` } }),
        })
        return c.json({ order: orderView(ctx, order), ...(callback && { callback }) })
      } catch (err) {
        if (err instanceof SettleError) return c.json({ error: err.message }, 409)
        throw err
      }
    })
    .post('/__control/refunds/:id/settle', (c) => {
      const refund = ctx.store.refunds.get(c.req.param('id'))
      if (!refund) return c.json({ error: 'refund not found' }, 404)
      const outcome = str(c.var.input, 'outcome')
      if (outcome !== 'success' && outcome !== 'failed') return c.json({ error: 'outcome must be success or failed' }, 400)
      const current = refundStatus(refund, ctx.now())
      if (current !== 'processing') return c.json({ error: `refund is already ${current}` }, 409)
      refund.forced = outcome
      return c.json({ refund: refundView(ctx, refund) })
    })
    .get('/__control/callbacks', (c) => {
      const id = c.req.query('app_trans_id') ?? null
      return c.json({ deliveries: ctx.callbacks.log.filter((d) => id === null || d.app_trans_id === id) })
    })
    .post('/__control/callbacks/suppress', (c) => {
      const id = str(c.var.input, 'app_trans_id')
      if (!id) return c.json({ error: 'app_trans_id is required' }, 400)
      ctx.callbacks.suppress(id)
      return c.json({ suppressed: ctx.callbacks.suppressed })
    })
    .post('/__control/callbacks/replay', async (c) => {
      const order = ctx.store.orders.get(str(c.var.input, 'app_trans_id') ?? '')
      if (!order?.callbackBody) return c.json({ error: 'no paid order with that app_trans_id' }, 404)
      const target = str(c.var.input, 'url') ?? order.callbackUrl ?? ctx.callbackUrl
      if (!target) return c.json({ error: 'no callback URL: give url, or callback_url at create, or option callbackUrl' }, 400)
      return c.json({ delivery: await ctx.callbacks.sendOnce('replay', order.appTransId, target, order.callbackBody) })
    })
    .post('/__control/callbacks/send', async (c) => {
      const input = c.var.input
      const data = input['data']
      if (typeof data !== 'string' && (typeof data !== 'object' || data === null)) {
        return c.json({ error: 'data must be an object (serialised for you) or the exact data string' }, 400)
      }
      const dataString = typeof data === 'string' ? data : JSON.stringify(data)
      const appTransId = appTransIdOf(dataString)
      const order = appTransId ? ctx.store.orders.get(appTransId) : undefined
      const target = str(input, 'url') ?? order?.callbackUrl ?? ctx.callbackUrl
      if (!target) return c.json({ error: 'no callback URL: give url, or use an order with callback_url, or option callbackUrl' }, 400)
      const body = ctx.callbacks.envelope(dataString, str(input, 'mac'))
      return c.json({ delivery: await ctx.callbacks.sendOnce('custom', appTransId ?? null, target, body) })
    })
    .get('/__control/state', (c) =>
      c.json({
        app_id: ctx.appId,
        orders: [...ctx.store.orders.values()].map((o) => orderView(ctx, o)),
        refunds: [...ctx.store.refunds.values()].map((r) => refundView(ctx, r)),
        suppressed_callbacks: ctx.callbacks.suppressed,
        deliveries: ctx.callbacks.log.length,
      }),
    )
    .delete('/__control/reset', (c) => {
      ctx.store.clear()
      ctx.callbacks.reset()
      ctx.faults.clear()
      return c.json({ ok: true })
    })
    .all('/__control/*', (c) => c.json({ error: `unknown control route ${c.req.method} ${new URL(c.req.url).pathname}` }, 404))
}

function str(input: Record<string, unknown>, k: string): string | undefined {
  const v = input[k]
  return typeof v === 'string' ? v : undefined
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
