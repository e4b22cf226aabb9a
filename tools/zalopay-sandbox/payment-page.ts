/**
 * The page order_url points at: GET /pay/{zp_trans_token} shows the order with Pay / Fail /
 * Cancel buttons (plain form POSTs, no scripts or external assets); POST settles the payment —
 * on success the callback goes out first — then redirects the browser back to the merchant.
 */
import type { Context } from 'hono'
import { detailsTable, escapeHtml, htmlPage, htmlReply, returnLink, type PageTheme } from '../shared/html-page.ts'
import type { SandboxContext } from './context.ts'
import { redirectLocation, settleOrder, type Outcome } from './settlement.ts'
import { effectiveStatus, type Order } from './store.ts'

const ACTIONS: Record<string, Outcome> = { pay: 'success', fail: 'failed', cancel: 'cancelled' }
const THEME: PageTheme = { heading: '#0068ff', accent: '#0068ff', primary: 'pay' }

export async function handlePaymentPage(ctx: SandboxContext, c: Context, token: string, body: Buffer): Promise<Response> {
  const method = c.req.method
  const order = ctx.store.byToken(token)
  if (!order) return htmlReply(c, 404, page('Order not found', '<p>No order has this zp_trans_token.</p>'))
  if (method === 'GET') return htmlReply(c, 200, orderPage(ctx, order))
  if (method !== 'POST') return htmlReply(c, 405, page('Method not allowed', ''))

  const outcome = ACTIONS[new URLSearchParams(body.toString('utf8')).get('action') ?? '']
  if (!outcome) return htmlReply(c, 400, page('Unknown action', '<p>Use the Pay, Fail or Cancel button.</p>'))
  const state = effectiveStatus(order, ctx.now())
  // A second click (or a stale tab) only shows where the order stands; it never settles twice.
  if (state === 'pending' || state === 'processing') {
    await settleOrder(ctx, order, outcome)
    const location = redirectLocation(ctx, order)
    if (location) return c.body(null, 303, { location })
  }
  return htmlReply(c, 200, orderPage(ctx, order))
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
  const rows: Array<[string, string]> = [
    ['Merchant app', String(o.appId)],
    ['User', o.appUser],
    ['Amount', `${new Intl.NumberFormat('vi-VN').format(o.paidAmount ?? o.amount)} VND`],
    ['Description', o.description],
    ['Order', o.appTransId],
    ['Expires', new Date(o.expireAt).toISOString()],
    ['Status', STATE_TEXT[state]],
  ]
  const buttons = open
    ? `<form method="post" action="${escapeHtml(action)}">
  <button name="action" value="pay" id="pay">Pay</button>
  <button name="action" value="fail" id="fail">Fail</button>
  <button name="action" value="cancel" id="cancel">Cancel</button>
</form>`
    : returnLink(redirectLocation(ctx, o))
  return page('ZaloPay sandbox payment', `${detailsTable(rows)}\n${buttons}`, state)
}

function page(title: string, content: string, state = ''): string {
  return htmlPage(THEME, title, content, state)
}
