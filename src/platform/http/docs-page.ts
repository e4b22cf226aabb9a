import { escapeHtml } from './html.ts'
import type { DocumentedOperation } from './api-document.ts'

/**
 * A self-contained reference page (no CDN: it must render offline and under a strict CSP). The
 * machine-readable truth is /openapi.json; this lists the same routes for humans.
 */
export function renderDocsPage(title: string, routes: readonly DocumentedOperation[]): string {
  const byTag = new Map<string, DocumentedOperation[]>()
  for (const r of routes) byTag.set(r.tag, [...(byTag.get(r.tag) ?? []), r])
  const sections = [...byTag]
    .map(
      ([tag, rs]) =>
        `<h2>${escapeHtml(tag)}</h2><table><tr><th>method</th><th>path</th><th>auth</th><th>summary</th><th>responses</th></tr>${rs
          .map(
            (r) =>
              `<tr><td class="m">${r.method.toUpperCase()}</td><td><code>${escapeHtml(r.path)}</code></td><td>${escapeHtml(
                r.auth,
              )}${r.idempotent ? ' · Idempotency-Key' : ''}</td><td>${escapeHtml(r.summary)}</td><td>${Object.keys(r.responses).join(
                ', ',
              )}</td></tr>`,
          )
          .join('')}</table>`,
    )
    .join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}.m{font-weight:600}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1, generated from the
same zod schemas that validate requests). Errors always have the shape
<code>{"error":{"code","message","details?","request_id"}}</code>.</p>${sections}</body></html>`
}
