/**
 * The sandboxes' clickable pages share one shell: plain HTML with inline styles and form POSTs,
 * no scripts or external assets (so a strict Content-Security-Policy never gets in the way), and
 * every interpolated value escaped. Each page brings its own colours and content.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { escapeHtml } from '../../src/platform/http/html.ts'

export { escapeHtml }

export interface PageTheme {
  readonly heading: string
  /** Button borders and the fill of the primary button. */
  readonly accent: string
  /** The id of the button that moves the payment forward. */
  readonly primary: string
  /** The page's own rules, after the shared ones. */
  readonly css?: string
}

/** `state` lands in body[data-state], for tests and scripts to read. */
export function htmlPage(theme: PageTheme, title: string, content: string, state = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{color:${theme.heading};font-size:1.4rem}th{text-align:left;padding-right:1rem;vertical-align:top}
button{font-size:1rem;padding:.5rem 1.2rem;margin:1rem .5rem 0 0;border-radius:.4rem;border:1px solid ${theme.accent};background:#fff}
#${theme.primary}{background:${theme.accent};color:#fff}${theme.css ?? ''}
</style></head>
<body data-state="${escapeHtml(state)}"><h1>${escapeHtml(title)}</h1>
${content}
</body></html>`
}

/** Label / value rows, both escaped. */
export function detailsTable(rows: ReadonlyArray<readonly [string, string]>): string {
  return `<table>\n${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}\n</table>`
}

/** The link back once the payment is settled; nothing when there is nowhere to return to. */
export function returnLink(href: string | undefined): string {
  return href ? `<p><a id="back" href="${escapeHtml(href)}">Return to merchant</a></p>` : ''
}

/** An HTML answer; `c.html` would send `charset=UTF-8`, this keeps the sandboxes' header bytes. */
export function htmlReply(c: Context, status: number, html: string): Response {
  return c.body(html, status as ContentfulStatusCode, { 'content-type': 'text/html; charset=utf-8' })
}
