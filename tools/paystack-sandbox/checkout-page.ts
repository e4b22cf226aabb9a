/**
 * The page authorization_url points at: GET /checkout/{access_code} shows the payment with Pay /
 * Decline buttons (plain form POSTs, no scripts or external assets, every value escaped); POST
 * settles it — on success charge.success goes out first — then sends the browser to callback_url
 * with `trxref` and `reference`, as Paystack's checkout does.
 */
import type { Context } from 'hono'
import { detailsTable, escapeHtml, htmlPage, htmlReply, returnLink, type PageTheme } from '../shared/html-page.ts'
import type { SandboxContext } from './context.ts'
import { isObject } from './params.ts'
import { settleTransaction, type Outcome } from './settlement.ts'
import type { Transaction } from './store.ts'
import { transactionStatus } from './views.ts'

const ACTIONS: Record<string, Outcome> = { pay: 'success', decline: 'failed' }
const THEME: PageTheme = { heading: '#011b33', accent: '#09a5db', primary: 'pay' }

export async function handleCheckout(
  ctx: SandboxContext,
  c: Context,
  accessCode: string,
  body: Buffer,
  remoteAddress: string | undefined,
): Promise<Response> {
  const method = c.req.method
  const tx = ctx.store.byAccessCode(accessCode)
  if (!tx) return htmlReply(c, 404, page('Transaction not found', '<p>No transaction has this access code.</p>'))
  if (method === 'GET') return htmlReply(c, 200, checkoutPage(ctx, tx))
  if (method !== 'POST') return htmlReply(c, 405, page('Method not allowed', ''))

  const outcome = ACTIONS[new URLSearchParams(body.toString('utf8')).get('action') ?? '']
  if (!outcome) return htmlReply(c, 400, page('Unknown action', '<p>Use the Pay or Decline button.</p>'))
  // A second click (or a stale tab) only shows where the payment stands; it never settles twice.
  if (tx.status === 'abandoned') {
    await settleTransaction(ctx, tx, outcome, { ipAddress: remoteAddress ?? null })
    const location = callbackLocation(tx)
    if (location) return c.body(null, 303, { location })
  }
  return htmlReply(c, 200, checkoutPage(ctx, tx))
}

/** callback_url with trxref and reference added (both the transaction reference). */
export function callbackLocation(tx: Transaction): string | undefined {
  if (!tx.callbackUrl) return undefined
  const url = new URL(tx.callbackUrl)
  url.searchParams.set('trxref', tx.reference)
  url.searchParams.set('reference', tx.reference)
  return url.toString()
}

/** Minor units to a grouped major amount; every currency Paystack supports has 100 subunits. */
export function formatAmount(minor: number): string {
  const major = new Intl.NumberFormat('en-US').format(Math.floor(minor / 100))
  return `${major}.${String(minor % 100).padStart(2, '0')}`
}

const STATE_TEXT = {
  abandoned: 'Awaiting payment',
  success: 'Paid',
  failed: 'Declined',
  reversed: 'Refunded',
} as const

function checkoutPage(ctx: SandboxContext, tx: Transaction): string {
  const state = transactionStatus(ctx, tx)
  const rows: Array<[string, string]> = [
    ['Email', tx.email],
    ['Amount', formatAmount(tx.paidAmount ?? tx.amount)],
    ['Currency', tx.paidCurrency ?? tx.currency],
    ['Reference', tx.reference],
    ...customFields(tx.metadata),
    ['Status', STATE_TEXT[state]],
  ]
  const back = callbackLocation(tx)
  const actions =
    state === 'abandoned'
      ? `<form method="post" action="${escapeHtml(`/checkout/${encodeURIComponent(tx.accessCode)}`)}">
  <button name="action" value="pay" id="pay">Pay</button>
  <button name="action" value="decline" id="decline">Decline</button>
</form>`
      : returnLink(back)
  return page('Paystack sandbox checkout', `${detailsTable(rows)}\n${actions}`, state)
}

/** metadata.custom_fields rows ({display_name, value}), which Paystack's checkout also lists. */
function customFields(metadata: unknown): Array<[string, string]> {
  if (!isObject(metadata) || !Array.isArray(metadata['custom_fields'])) return []
  return metadata['custom_fields'].flatMap(
    (f): Array<[string, string]> =>
      isObject(f) ? [[String(f['display_name'] ?? f['variable_name'] ?? ''), String(f['value'] ?? '')]] : [],
  )
}

function page(title: string, content: string, state = ''): string {
  return htmlPage(THEME, title, content, state)
}
