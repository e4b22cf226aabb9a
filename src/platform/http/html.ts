import { createMiddleware } from 'hono/factory'

/**
 * Escapes text for interpolation into HTML (numeric entities; the sandbox pages share it). Kept by
 * hand rather than hono/html: our pages are assembled as strings, and html`` (an
 * HtmlEscapedString | Promise result, raw() around every nested fragment) only pays off once a
 * whole page is one template.
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

/**
 * The policy of the service's own HTML pages (/docs, /payments/return, /dev/mailbox): they run no
 * script and load nothing, so nothing is allowed but inline styles. A page that needs more (the
 * loyalty history page loads its own script) sets its own policy, which is kept.
 */
export const HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

/** Adds HTML_CSP to every HTML response that has no Content-Security-Policy of its own. */
export const htmlContentSecurityPolicy = createMiddleware(async (c, next) => {
  await next()
  const type = c.res.headers.get('content-type') ?? ''
  if (type.startsWith('text/html') && !c.res.headers.has('content-security-policy')) c.res.headers.set('content-security-policy', HTML_CSP)
})
