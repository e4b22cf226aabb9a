/**
 * The page order_url points at: GET /pay/{zp_trans_token} shows the order with Pay / Fail /
 * Cancel buttons (plain form POSTs, no scripts or external assets); POST settles the payment —
 * on success the callback goes out first — then redirects the browser back to the merchant.
 */
import type { ServerResponse } from 'node:http'
import { escapeHtml, sendHtml } from '../shared/http-kit.ts'
import type { SandboxContext } from './context.ts'
import { redirectLocation, settleOrder, type Outcome } from './settlement.ts'
import { effectiveStatus, type Order } from './store.ts'

const ACTIONS: Record<string, Outcome> = { pay: 'success', fail: 'failed', cancel: 'cancelled' }

export async function handlePaymentPage(ctx: SandboxContext, method: string, token: string, body: Buffer, res: ServerResponse): Promise<void> {
  const order = ctx.store.byToken(token)
  if (!order) return sendHtml(res, 404, page('Order not found', '<p>No order has this zp_trans_token.</p>'))
  if (method === 'GET') return sendHtml(res, 200, orderPage(ctx, order))
  if (method !== 'POST') return sendHtml(res, 405, page('Method not allowed', ''))

  const outcome = ACTIONS[new URLSearchParams(body.toString('utf8')).get('action') ?? '']
  if (!outcome) return sendHtml(res, 400, page('Unknown action', '<p>Use the Pay, Fail or Cancel button.</p>'))
  const state = effectiveStatus(order, ctx.now())
  // A second click (or a stale tab) only shows where the order stands; it never settles twice.
  if (state === 'pending' || state === 'processing') {
    await settleOrder(ctx, order, outcome)
    const location = redirectLocation(ctx, order)
    if (location) {
      res.writeHead(303, { location })
      res.end()
      return
    }
  }
  sendHtml(res, 200, orderPage(ctx, order))
}

const STATE_TEXT = {
  pending: 'Awaiting payment',
  processing: 'Payment processing',
  paid: 'Paid',
  failed: 'Payment failed',
  cancelled: 'Cancelled by user',
  expired: 'Order expired',
} as const

function orderPage(ctx: SandboxContext, o: Order): string {
  const state = effectiveStatus(o, ctx.now())
  const action = `/pay/${encodeURIComponent(o.zpTransToken)}`
  const open = state === 'pending' || state === 'processing'
  const back = open ? undefined : redirectLocation(ctx, o)
  const rows: Array<[string, string]> = [
    ['Merchant app', String(o.appId)],
    ['User', o.appUser],
    ['Amount', `${new Intl.NumberFormat('vi-VN').format(o.paidAmount ?? o.amount)} VND`],
    ['Description', o.description],
    ['Order', o.appTransId],
    ['Expires', new Date(o.expireAt).toISOString()],
    ['Status', STATE_TEXT[state]],
  ]
  const table = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')
  const buttons = open
    ? `<form method="post" action="${escapeHtml(action)}">
  <button name="action" value="pay" id="pay">Pay</button>
  <button name="action" value="fail" id="fail">Fail</button>
  <button name="action" value="cancel" id="cancel">Cancel</button>
</form>`
    : back
      ? `<p><a id="back" href="${escapeHtml(back)}">Return to merchant</a></p>`
      : ''
  return page('ZaloPay sandbox payment', `<table>\n${table}\n</table>\n${buttons}`, state)
}

function page(title: string, content: string, state = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{color:#0068ff;font-size:1.4rem}th{text-align:left;padding-right:1rem;vertical-align:top}
button{font-size:1rem;padding:.5rem 1.2rem;margin:1rem .5rem 0 0;border-radius:.4rem;border:1px solid #0068ff;background:#fff}
#pay{background:#0068ff;color:#fff}
</style></head>
<body data-state="${escapeHtml(state)}"><h1>${escapeHtml(title)}</h1>
${content}
</body></html>`
}
