/**
 * The page linkQRCodeURL points at, standing in for the PayPay app's consent screen:
 * GET /link/{id} shows the merchant, scopes and reference with Approve / Deny (plain form POSTs,
 * no scripts or external assets); POST links the user (or not) and sends the browser to the
 * merchant's redirectUrl with a signed responseToken (docs/protocols/paypay-opa.md).
 */
import type { Context } from 'hono'
import { detailsTable, escapeHtml, htmlPage, htmlReply, returnLink, type PageTheme } from '../shared/html-page.ts'
import { linkUser, randomPhone } from './authorizations.ts'
import type { SandboxContext } from './context.ts'
import { signResponseToken, type LinkResult } from './response-token.ts'
import type { QrSession } from './store.ts'

export async function handleLinkPage(ctx: SandboxContext, c: Context, id: string, body: Buffer): Promise<Response> {
  const method = c.req.method
  const session = ctx.store.sessions.get(id)
  if (!session) return htmlReply(c, 404, page('Link not found', '<p>No account-link session has this id.</p>'))
  if (method === 'GET') return htmlReply(c, 200, sessionPage(ctx, session))
  if (method !== 'POST') return htmlReply(c, 405, page('Method not allowed', ''))

  const form = new URLSearchParams(body.toString('utf8'))
  const action = form.get('action')
  if (action !== 'approve' && action !== 'deny') return htmlReply(c, 400, page('Unknown action', '<p>Use the Approve or Deny button.</p>'))
  // A second click (or a stale tab) only shows where the session stands; it never links twice.
  if (session.state === 'pending') {
    let outcome: LinkResult = { result: 'declined' }
    if (action === 'approve') {
      const phone = (form.get('phone') ?? '').replace(/\D/g, '')
      if (phone.length < 6 || phone.length > 15)
        return htmlReply(c, 400, sessionPage(ctx, session, 'Enter a phone number of 6 to 15 digits.'))
      const a = linkUser(ctx, { phoneNumber: phone, scopes: session.scopes, referenceId: session.referenceId })
      outcome = { result: 'succeeded', userAuthorizationId: a.userAuthorizationId, profileIdentifier: a.profileIdentifier }
    }
    session.state = action === 'approve' ? 'approved' : 'declined'
    const url = new URL(session.redirectUrl)
    url.searchParams.set('responseToken', await signResponseToken(ctx, session, outcome))
    session.location = url.toString()
    ctx.log(`link ${session.referenceId}: ${session.state}`)
    return c.body(null, 303, { location: session.location })
  }
  return htmlReply(c, 200, sessionPage(ctx, session))
}

const STATE_TEXT = { pending: 'Waiting for your consent', approved: 'Linked', declined: 'Declined' } as const
const THEME: PageTheme = { heading: '#ff0033', accent: '#ff0033', primary: 'approve', css: '#error{color:#b00020}' }

function sessionPage(ctx: SandboxContext, s: QrSession, error?: string): string {
  const rows: Array<[string, string]> = [
    ['Merchant', ctx.creds.merchantId],
    ['Permissions', s.scopes.join(', ')],
    ['Reference', s.referenceId],
    ['Returns to', returnsTo(s.redirectUrl)],
    ['Status', STATE_TEXT[s.state]],
  ]
  const content =
    s.state === 'pending'
      ? `${error ? `<p id="error" role="alert">${escapeHtml(error)}</p>\n` : ''}<form method="post" action="/link/${escapeHtml(encodeURIComponent(s.id))}">
  <label>PayPay account (phone number) <input name="phone" id="phone" inputmode="numeric" value="${escapeHtml(s.phoneNumber ?? randomPhone())}"></label>
  <p><button name="action" value="approve" id="approve">Approve</button>
  <button name="action" value="deny" id="deny">Deny</button></p>
</form>`
      : returnLink(s.location)
  return page('Link your PayPay account', `${detailsTable(rows)}\n${content}`, s.state)
}

/** Scheme and host only: enough to recognise the merchant (`origin` is "null" for app schemes). */
function returnsTo(redirectUrl: string): string {
  const u = new URL(redirectUrl)
  return `${u.protocol}//${u.host}`
}

function page(title: string, content: string, state = ''): string {
  return htmlPage(THEME, title, content, state)
}
