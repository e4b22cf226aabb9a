/**
 * The /__control API tests drive instead of a human or the real Paystack: settle payments and
 * refunds without a browser, hold back / delay / replay / forge webhooks, inspect and reset.
 * (/__control/faults is the shared FaultPlan contract, routed before this.)
 */
import type { ServerResponse } from 'node:http'
import { sendJson } from '../shared/http-kit.ts'
import type { SandboxContext } from './context.ts'
import { isHttpUrl, readJsonBody } from './params.ts'
import { advanceRefund } from './refund-lifecycle.ts'
import { OUTCOMES, SettleError, settleTransaction, type Outcome } from './settlement.ts'
import type { RefundStatus, Transaction } from './store.ts'
import { refundData, transactionData } from './views.ts'

const REFUND_OUTCOMES: readonly RefundStatus[] = ['processing', 'processed', 'failed']

export async function handleControl(ctx: SandboxContext, method: string, url: URL, body: Buffer, res: ServerResponse): Promise<void> {
  const path = url.pathname
  const input = readJsonBody(body)
  if (input === null) return sendJson(res, 400, { error: 'body must be a JSON object' })
  const str = (k: string) => (typeof input[k] === 'string' ? input[k] : undefined)
  const positiveInt = (k: string) => {
    const v = input[k]
    return Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : undefined
  }

  const settle = /^\/__control\/transactions\/([^/]+)\/settle$/.exec(path)
  if (settle && method === 'POST') {
    const tx = ctx.store.transactions.get(decodeURIComponent(settle[1]!))
    if (!tx) return sendJson(res, 404, { error: 'transaction not found' })
    const outcome = (str('outcome') ?? '') as Outcome
    if (!OUTCOMES.includes(outcome)) return sendJson(res, 400, { error: `outcome must be one of ${OUTCOMES.join(', ')}` })
    const amount = positiveInt('amount')
    if (input['amount'] !== undefined && amount === undefined) return sendJson(res, 400, { error: 'amount must be a positive integer' })
    const currency = str('currency')
    if (input['currency'] !== undefined && !/^[A-Z]{3}$/.test(currency ?? ''))
      return sendJson(res, 400, { error: 'currency must be a 3-letter code' })
    try {
      const webhook = await settleTransaction(ctx, tx, outcome, {
        ...(amount !== undefined && { amount }),
        ...(currency !== undefined && { currency }),
      })
      return sendJson(res, 200, { transaction: transactionData(ctx, tx), ...(webhook && { webhook }) })
    } catch (err) {
      if (err instanceof SettleError) return sendJson(res, 409, { error: err.message })
      throw err
    }
  }

  const refundSettle = /^\/__control\/refunds\/(\d+)\/settle$/.exec(path)
  if (refundSettle && method === 'POST') {
    const refund = ctx.store.refunds.get(Number(refundSettle[1]))
    if (!refund) return sendJson(res, 404, { error: 'refund not found' })
    const outcome = str('outcome') as RefundStatus | undefined
    if (!outcome || !REFUND_OUTCOMES.includes(outcome))
      return sendJson(res, 400, { error: `outcome must be one of ${REFUND_OUTCOMES.join(', ')}` })
    if (refund.status === 'processed' || refund.status === 'failed' || refund.status === outcome) {
      return sendJson(res, 409, { error: `refund is already ${refund.status}` })
    }
    const webhook = await advanceRefund(ctx, refund, outcome)
    return sendJson(res, 200, { refund: refundData(ctx, refund), ...(webhook && { webhook }) })
  }

  if (path === '/__control/webhooks' && method === 'GET') {
    const ref = url.searchParams.get('reference')
    const event = url.searchParams.get('event')
    const keep = (e: { reference: string | null; event: string }) =>
      (ref === null || e.reference === ref) && (event === null || e.event === event)
    const w = ctx.webhooks
    return sendJson(res, 200, {
      url: w.url ?? null,
      suppressed: w.suppressed,
      delayMs: w.delayMs,
      queued: w.queued,
      events: w.events.filter(keep),
      deliveries: w.log.filter(keep),
    })
  }

  if (path === '/__control/webhooks/suppress' && method === 'POST') {
    if (typeof input['on'] !== 'boolean') return sendJson(res, 400, { error: 'on must be a boolean' })
    const queued = ctx.webhooks.queued
    ctx.webhooks.setSuppressed(input['on'])
    return sendJson(res, 200, { suppressed: ctx.webhooks.suppressed, queued: ctx.webhooks.queued, released: input['on'] ? 0 : queued })
  }

  if (path === '/__control/webhooks/delay' && method === 'POST') {
    const ms = input['ms']
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return sendJson(res, 400, { error: 'ms must be a finite number ≥ 0' })
    ctx.webhooks.setDelay(ms)
    return sendJson(res, 200, { delayMs: ms })
  }

  if (path === '/__control/webhooks/url' && method === 'POST') {
    const target = str('url')
    if (!target || !isHttpUrl(target)) return sendJson(res, 400, { error: 'url must be an http(s) URL' })
    ctx.webhooks.url = target
    return sendJson(res, 200, { url: target })
  }

  if (path === '/__control/webhooks/replay' && method === 'POST') {
    const index = input['index']
    const reference = str('reference')
    if (index === undefined && reference === undefined)
      return sendJson(res, 400, { error: 'give index or reference (and optionally event)' })
    const ev = typeof index === 'number' ? ctx.webhooks.events[index] : ctx.webhooks.latest(reference ?? '', str('event'))
    if (!ev) return sendJson(res, 404, { error: 'no such event' })
    const times = input['times'] === undefined ? 1 : positiveInt('times')
    if (times === undefined || times > 100) return sendJson(res, 400, { error: 'times must be an integer from 1 to 100' })
    return sendJson(res, 200, { index: ev.index, event: ev.event, results: await ctx.webhooks.replay(ev, times) })
  }

  if (path === '/__control/webhooks/send' && method === 'POST') {
    const event = str('event')
    if (!event) return sendJson(res, 400, { error: 'event is required' })
    if (!('data' in input)) return sendJson(res, 400, { error: 'data is required' })
    const signature = str('signature')
    const result = await ctx.webhooks.emit(event, input['data'], {
      ...(signature !== undefined && { signature }),
      once: input['once'] === true,
    })
    return sendJson(res, 200, result)
  }

  if (path === '/__control/state' && method === 'GET') {
    return sendJson(res, 200, {
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
    })
  }

  if (path === '/__control/reset' && method === 'DELETE') {
    ctx.refundTimers.clear()
    ctx.webhooks.reset()
    ctx.store.clear()
    ctx.faults.clear()
    return sendJson(res, 200, { ok: true })
  }

  return sendJson(res, 404, { error: `unknown control route ${method} ${path}` })
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
