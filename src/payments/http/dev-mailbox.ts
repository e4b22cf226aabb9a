import { Hono } from 'hono'
import type { AppEnv } from '../../platform/http/app-env.ts'
import { HttpError } from '../../platform/http/errors.ts'
import { escapeHtml } from '../../platform/http/html.ts'
import { paymentsOf } from './schemas.ts'

/**
 * The email outbox as a page, for local development (DEV_MAILBOX=true). Not part of the API, so a
 * plain route outside the document (tests/unit/routes-documented.test.ts lists it as a page).
 */
export const devMailboxRoutes = new Hono<AppEnv>().get('/dev/mailbox', async (c) => {
  if (c.var.deps.config.DEV_MAILBOX !== 'true') throw new HttpError(404, 'NOT_FOUND', 'The dev mailbox is disabled')
  const mails = await paymentsOf(c.var.deps).emails.recent(100)
  const items = mails
    .map(
      (m) =>
        `<article data-key="${escapeHtml(m.deduplicationKey)}"><h2>${escapeHtml(m.subject)}</h2><p>To ${escapeHtml(m.to)} · ${m.createdAt.toISOString()}</p><pre>${escapeHtml(m.body)}</pre></article>`,
    )
    .join('\n')
  return c.html(
    `<!doctype html><html><head><meta charset="utf-8"><title>Dev mailbox</title></head><body><h1>Dev mailbox (${mails.length})</h1>${items}</body></html>`,
  )
})
