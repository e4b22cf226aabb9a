import { createRoute } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../../platform/http/app-env.ts'
import { HttpError } from '../../platform/http/errors.ts'
import { ErrorEnvelope, errorResponses, guard, json, refuse, routesOf } from '../../platform/http/route-kit.ts'
import { completeLink } from '../use-cases/complete-link.ts'
import { linkStatus, unlink } from '../use-cases/manage-link.ts'
import { startLink } from '../use-cases/start-link.ts'
import { LinkQuery, STATUS, TokenBody } from './schemas.ts'
import { LinkResponse, linkView } from './views.ts'

/** Linking a PayPay account (seed 000): the session, PayPay's return with its responseToken, unlinking. */

const refused = json(ErrorEnvelope, 'PayPay refused (PAYPAY_REFUSED)')
const expired = json(ErrorEnvelope, 'The link session has expired (LINK_SESSION_EXPIRED)')

/**
 * Documented, not validated: the responseToken may come in the query, a JSON body or a form, so a
 * body validator (JSON only, and it would refuse the form with 415) must not read it first. The
 * handler reads it (responseTokenOf). A plain JSON schema documents the body without a validator.
 */
const tokenSchema = {
  type: 'object' as const,
  properties: { responseToken: { type: 'string' as const, minLength: 10, maxLength: 8192 } },
  required: ['responseToken'],
}
const tokenBodyDoc = {
  required: false,
  description: 'responseToken as a JSON body or a form (application/x-www-form-urlencoded); or send it in the query',
  content: { 'application/json': { schema: tokenSchema }, 'application/x-www-form-urlencoded': { schema: tokenSchema } },
}

/** The responseToken from the query (browser redirect), a JSON body or a form post. */
async function responseTokenOf<E extends AppEnv>(c: Context<E>): Promise<string> {
  let candidate: unknown = c.req.query('responseToken')
  if (candidate === undefined && c.req.method !== 'GET') {
    const type = c.req.header('content-type') ?? ''
    if (type.includes('application/json')) {
      // Any JSON value may arrive (null, a number, an array): only an object can carry the token.
      const body: unknown = await c.req.json().catch(() => null)
      candidate = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)['responseToken'] : undefined
    } else if (type.includes('form')) candidate = ((await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>)['responseToken']
  }
  const parsed = TokenBody.safeParse({ responseToken: candidate })
  if (!parsed.success)
    throw new HttpError(400, 'VALIDATION_FAILED', 'responseToken is required', [{ path: 'responseToken', message: 'required' }])
  return parsed.data.responseToken
}

const start = createRoute({
  method: 'post',
  path: '/paypay/sessions',
  summary: 'Start linking PayPay (seed 000): an account-link session (scope cashback) with a nonce kept for me; open link_url',
  tags: ['loyalty'],
  ...guard('user'),
  responses: {
    201: json(z.object({ session_id: z.string(), link_url: z.string(), expires_at: z.string() }), 'Open link_url'),
    ...errorResponses(401, 503),
    502: refused,
  },
})

const status = createRoute({
  method: 'get',
  path: '/paypay/sessions',
  summary: 'My PayPay link (refresh=true asks PayPay for the authorization status)',
  tags: ['loyalty'],
  ...guard('user'),
  request: { query: LinkQuery },
  responses: { 200: json(LinkResponse, 'The link'), ...errorResponses(400, 401, 503), 502: refused },
})

const remove = createRoute({
  method: 'delete',
  path: '/paypay/sessions',
  summary: 'Unlink PayPay (PayPay Unlink user, then recorded)',
  tags: ['loyalty'],
  ...guard('user'),
  responses: { 200: json(LinkResponse, 'Unlinked'), ...errorResponses(401, 409, 503), 502: refused },
})

const finish = createRoute({
  method: 'put',
  path: '/paypay/update_session',
  summary: 'Finish linking with PayPay’s responseToken (HS256 with the decoded API secret, result succeeded, my nonce)',
  tags: ['loyalty'],
  ...guard('user'),
  request: { body: tokenBodyDoc },
  responses: { 200: json(LinkResponse, 'Linked'), ...errorResponses(400, 401, 404, 503), 410: expired },
})

const callbackSummary =
  'PayPay’s return after consent (responseToken in the query, a JSON body or a form); GET redirects to PAYPAY_LINK_RETURN_URL when set'
const callbackResponses = { 200: json(LinkResponse, 'Linked'), ...errorResponses(400, 404, 503), 410: expired }

// PayPay's redirect after consent: the token (nonce + session) proves who it is for.
const callbackGet = createRoute({
  method: 'get',
  path: '/paypay/sessions/callback',
  summary: callbackSummary,
  tags: ['loyalty'],
  ...guard('signature'),
  responses: { ...callbackResponses, 303: { description: 'Back to the front end (?paypay_link=linked|failed&code=)' } },
})

const callbackPost = createRoute({
  method: 'post',
  path: '/paypay/sessions/callback',
  summary: callbackSummary,
  tags: ['loyalty'],
  ...guard('signature'),
  request: { body: tokenBodyDoc },
  responses: callbackResponses,
})

/** Mounted under /api/v1. */
export const paypayLinkRoutes = routesOf()
  .openapi(start, async (c) => {
    const result = await startLink(c.var.deps.loyalty, { userId: c.var.principal.userId })
    if (!result.ok) refuse(result.error, STATUS)
    const s = result.value
    return c.json({ session_id: s.id, link_url: s.linkUrl, expires_at: s.expiresAt.toISOString() }, 201)
  })
  .openapi(status, async (c) => {
    const result = await linkStatus(c.var.deps.loyalty, {
      userId: c.var.principal.userId,
      refresh: c.req.valid('query').refresh === 'true',
    })
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ link: linkView(result.value.link, c.var.deps.clock.now()) }, 200)
  })
  .openapi(remove, async (c) => {
    const result = await unlink(c.var.deps.loyalty, { userId: c.var.principal.userId, requestId: c.var.requestId })
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ link: linkView(result.value, c.var.deps.clock.now()) }, 200)
  })
  .openapi(finish, async (c) => {
    const token = await responseTokenOf(c)
    const result = await completeLink(c.var.deps.loyalty, {
      responseToken: token,
      userId: c.var.principal.userId,
      requestId: c.var.requestId,
    })
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ link: linkView(result.value, c.var.deps.clock.now()) }, 200)
  })
  .openapi(callbackGet, async (c) => {
    const token = await responseTokenOf(c)
    const result = await completeLink(c.var.deps.loyalty, { responseToken: token, userId: null, requestId: c.var.requestId })
    const back = c.var.deps.config.PAYPAY_LINK_RETURN_URL
    if (back) {
      const url = new URL(back)
      url.searchParams.set('paypay_link', result.ok ? 'linked' : 'failed')
      if (!result.ok) url.searchParams.set('code', result.error.code)
      return c.redirect(url.toString(), 303)
    }
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ link: linkView(result.value, c.var.deps.clock.now()) }, 200)
  })
  .openapi(callbackPost, async (c) => {
    const token = await responseTokenOf(c)
    const result = await completeLink(c.var.deps.loyalty, { responseToken: token, userId: null, requestId: c.var.requestId })
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ link: linkView(result.value, c.var.deps.clock.now()) }, 200)
  })
