/**
 * The /__control API tests drive instead of a human or the real Paystack: settle payments and
 * refunds without a browser, hold back / delay / replay / forge webhooks, inspect and reset.
 * (/__control/faults is the shared FaultPlan contract, routed before these.)
 */
import type { Hono } from 'hono'
import { type ControlEnv, controlApp } from '../shared/http-kit.ts'
import type { SandboxContext } from './context.ts'
import { type Input, isHttpUrl } from './params.ts'
import { advanceRefund } from './refund-lifecycle.ts'
import { OUTCOMES, SettleError, settleTransaction, type Outcome } from './settlement.ts'
import type { RefundStatus, Transaction } from './store.ts'
import { refundData, transactionData } from './views.ts'

const REFUND_OUTCOMES: readonly RefundStatus[] = ['processing', 'processed', 'failed']

export function controlRoutes(ctx: SandboxContext): Hono<ControlEnv> {
  return controlApp()
    .post('/__control/transactions/:reference/settle', async (c) => {
      const input = c.var.input
      const tx = ctx.store.transactions.get(c.req.param('reference'))
      if (!tx) return c.json({ error: 'transaction not found' }, 404)
      const outcome = (str(input, 'outcome') ?? '') as Outcome
      if (!OUTCOMES.includes(outcome)) return c.json({ error: `outcome must be one of ${OUTCOMES.join(', ')}` }, 400)
      const amount = positiveInt(input, 'amount')
      if (input['amount'] !== undefined && amount === undefined) return c.json({ error: 'amount must be a positive integer' }, 400)
      const currency = str(input, 'currency')
      if (input['currency'] !== undefined && !/^[A-Z]{3}$/.test(currency ?? ''))
        return c.json({ error: 'currency must be a 3-letter code' }, 400)
      try {
        const webhook = await settleTransaction(ctx, tx, outcome, {
          ...(amount !== undefined && { amount }),
          ...(currency !== undefined && { currency }),
        })
        return c.json({ transaction: transactionData(ctx, tx), ...(webhook && { webhook }) })
      } catch (err) {
        if (err instanceof SettleError) return c.json({ error: err.message }, 409)
        throw err
      }
    })
    .post('/__control/refunds/:id{[0-9]+}/settle', async (c) => {
      const refund = ctx.store.refunds.get(Number(c.req.param('id')))
      if (!refund) return c.json({ error: 'refund not found' }, 404)
      const outcome = str(c.var.input, 'outcome') as RefundStatus | undefined
      if (!outcome || !REFUND_OUTCOMES.includes(outcome))
        return c.json({ error: `outcome must be one of ${REFUND_OUTCOMES.join(', ')}` }, 400)
      if (refund.status === 'processed' || refund.status === 'failed' || refund.status === outcome) {
        return c.json({ error: `refund is already ${refund.status}` }, 409)
      }
      const webhook = await advanceRefund(ctx, refund, outcome)
      return c.json({ refund: refundData(ctx, refund), ...(webhook && { webhook }) })
    })
    .get('/__control/webhooks', (c) => {
      const ref = c.req.query('reference') ?? null
      const event = c.req.query('event') ?? null
      const keep = (e: { reference: string | null; event: string }) =>
        (ref === null || e.reference === ref) && (event === null || e.event === event)
      const w = ctx.webhooks
      return c.json({
        url: w.url ?? null,
        suppressed: w.suppressed,
        delayMs: w.delayMs,
        queued: w.queued,
        events: w.events.filter(keep),
        deliveries: w.log.filter(keep),
      })
    })
    .post('/__control/webhooks/suppress', (c) => {
      const on = c.var.input['on']
      if (typeof on !== 'boolean') return c.json({ error: 'on must be a boolean' }, 400)
      const queued = ctx.webhooks.queued
      ctx.webhooks.setSuppressed(on)
      return c.json({ suppressed: ctx.webhooks.suppressed, queued: ctx.webhooks.queued, released: on ? 0 : queued })
    })
    .post('/__control/webhooks/delay', (c) => {
      const ms = c.var.input['ms']
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return c.json({ error: 'ms must be a finite number ≥ 0' }, 400)
      ctx.webhooks.setDelay(ms)
      return c.json({ delayMs: ms })
    })
    .post('/__control/webhooks/url', (c) => {
      const target = str(c.var.input, 'url')
      if (!target || !isHttpUrl(target)) return c.json({ error: 'url must be an http(s) URL' }, 400)
      ctx.webhooks.url = target
      return c.json({ url: target })
    })
    .post('/__control/webhooks/replay', async (c) => {
      const input = c.var.input
      const index = input['index']
      const reference = str(input, 'reference')
      if (index === undefined && reference === undefined) return c.json({ error: 'give index or reference (and optionally event)' }, 400)
      const ev = typeof index === 'number' ? ctx.webhooks.events[index] : ctx.webhooks.latest(reference ?? '', str(input, 'event'))
      if (!ev) return c.json({ error: 'no such event' }, 404)
      const times = input['times'] === undefined ? 1 : positiveInt(input, 'times')
      if (times === undefined || times > 100) return c.json({ error: 'times must be an integer from 1 to 100' }, 400)
      return c.json({ index: ev.index, event: ev.event, results: await ctx.webhooks.replay(ev, times) })
    })
    .post('/__control/webhooks/send', async (c) => {
      const input = c.var.input
      const event = str(input, 'event')
      if (!event) return c.json({ error: 'event is required' }, 400)
      if (!('data' in input)) return c.json({ error: 'data is required' }, 400)
      const signature = str(input, 'signature')
      const result = await ctx.webhooks.emit(event, input['data'], {
        ...(signature !== undefined && { signature }),
        once: input['once'] === true,
      })
      return c.json(result)
    })
    .get('/__control/state', (c) =>
      c.json({
        domain: ctx.domain,
        transactions: [...ctx.store.transactions.values()].map((tx) => transactionView(ctx, tx)),
        refunds: [...ctx.store.refunds.values()].map((r) => refundData(ctx, r)),
        webhooks: {
          url: ctx.webhooks.url ?? null,
          suppressed: ctx.webhooks.suppressed,
          delayMs: ctx.webhooks.delayMs,
          queued: ctx.webhooks.queued,
          events: ctx.webhooks.events.length,
          deliveries: ctx.webhooks.log.length,
        },
      }),
    )
    .delete('/__control/reset', (c) => {
      ctx.refundTimers.clear()
      ctx.webhooks.reset()
      ctx.store.clear()
      ctx.faults.clear()
      return c.json({ ok: true })
    })
    .all('/__control/*', (c) => c.json({ error: `unknown control route ${c.req.method} ${new URL(c.req.url).pathname}` }, 404))
}

function str(input: Input, k: string): string | undefined {
  const v = input[k]
  return typeof v === 'string' ? v : undefined
}

function positiveInt(input: Input, k: string): number | undefined {
  const v = input[k]
  return Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : undefined
}

function transactionView(ctx: SandboxContext, tx: Transaction) {
  return {
    ...transactionData(ctx, tx),
    access_code: tx.accessCode,
    authorization_url: `${ctx.publicUrl}/checkout/${tx.accessCode}`,
    callback_url: tx.callbackUrl ?? null,
    channels: tx.channels,
  }
}
