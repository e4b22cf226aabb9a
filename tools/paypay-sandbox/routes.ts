/**
 * Request routing: PayPay's OPA endpoints, the account-link page, and the control API. Every API
 * call passes, in order: rate limit → maintenance → injected fault → OPA-Auth → JSON body → due
 * settlements → handler; each step's answer lands in the request log.
 */
import { randomBytes } from 'node:crypto'
import { type Context, Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { dropConnection, type NodeEnv, rawBody } from '../shared/http-kit.ts'
import { createQrSession, unlinkUser, userAuthorizationStatus } from './account-link-api.ts'
import { parseJsonObject, type Json } from './body.ts'
import { checkCashback, giveCashback } from './cashback-api.ts'
import { CODES, reply, type ApiReply } from './codes.ts'
import type { SandboxContext } from './context.ts'
import { controlRoutes } from './control.ts'
import { handleLinkPage } from './link-page.ts'
import { verifyRequest } from './opa-auth.ts'
import type { ApiCall } from './request-log.ts'
import { checkReversal, reverseCashback } from './reversal-api.ts'
import { settleDue } from './settlement.ts'

interface Call {
  /** Decoded path parameters, in path order. */
  params: string[]
  query: URLSearchParams
  json: Json
}

type Ids = Pick<ApiCall, 'merchantCashbackId' | 'merchantCashbackReversalId' | 'userAuthorizationId'>

interface Route {
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  /** Fault-plan operation name, also shown in the request log. */
  operation: string
  handle(ctx: SandboxContext, call: Call): ApiReply | Promise<ApiReply>
  /** Ids carried in the path, for the request log (body ids are picked up generically). */
  pathIds?(params: string[]): Ids
}

const ROUTES: Route[] = [
  { method: 'POST', path: '/v1/qr/sessions', operation: 'qr_session', handle: (ctx, c) => createQrSession(ctx, c.json) },
  {
    method: 'GET',
    path: '/v2/user/authorizations',
    operation: 'user_authorization_status',
    handle: (ctx, c) => userAuthorizationStatus(ctx, c.query),
  },
  {
    method: 'DELETE',
    path: '/v2/user/authorizations/:id',
    operation: 'unlink_user',
    handle: (ctx, c) => unlinkUser(ctx, c.params[0]!),
    pathIds: ([id]) => ({ userAuthorizationId: id! }),
  },
  { method: 'POST', path: '/v2/cashback', operation: 'give_cashback', handle: (ctx, c) => giveCashback(ctx, c.json) },
  {
    method: 'GET',
    path: '/v2/cashback/:id',
    operation: 'check_cashback',
    handle: (ctx, c) => checkCashback(ctx, c.params[0]!),
    pathIds: ([id]) => ({ merchantCashbackId: id! }),
  },
  { method: 'POST', path: '/v2/cashback_reversal', operation: 'reverse_cashback', handle: (ctx, c) => reverseCashback(ctx, c.json) },
  {
    method: 'GET',
    path: '/v2/cashback_reversal/:reversalId/:cashbackId',
    operation: 'check_reversal',
    handle: (ctx, c) => checkReversal(ctx, c.params[0]!, c.params[1]!),
    pathIds: ([reversalId, cashbackId]) => ({ merchantCashbackReversalId: reversalId!, merchantCashbackId: cashbackId! }),
  },
]

export function router(ctx: SandboxContext): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()
    .route('/', ctx.faults.routes())
    .route('/', controlRoutes(ctx))
    .get('/__health', (c) => c.json({ ok: true }))
    .all('/link/:id', async (c) => handleLinkPage(ctx, c, rawParams(c, '/link/:id')[0] ?? '', await rawBody(c)))
  for (const route of ROUTES) app.on(route.method, route.path, (c) => handleApi(ctx, route, c))
  for (const path of new Set(ROUTES.map((r) => r.path))) {
    const allow = ROUTES.filter((r) => r.path === path)
      .map((r) => r.method)
      .join(', ')
    app.all(path, (c) => c.json(reply(CODES.METHOD_NOT_ALLOWED, null, `use ${allow}`).body, 405, { allow }))
  }
  return app.all('*', (c) => c.json({ error: `not found: ${c.req.method} ${new URL(c.req.url).pathname}` }, 404))
}

async function handleApi(ctx: SandboxContext, route: Route, c: Context<NodeEnv>): Promise<Response> {
  const url = new URL(c.req.url)
  const body = await rawBody(c)
  const params = rawParams(c, route.path)
  const json = c.req.method === 'POST' ? parseJsonObject(body) : {}
  const entry = ctx.requests.add({
    at: ctx.now(),
    method: route.method,
    path: url.pathname,
    operation: route.operation,
    ...bodyIds(json),
    ...(route.pathIds && params.every((p) => p !== undefined) && route.pathIds(params as string[])),
    ...(url.searchParams.has('userAuthorizationId') && { userAuthorizationId: url.searchParams.get('userAuthorizationId')! }),
  })

  if (!ctx.rateLimit.allow())
    return answer(c, entry, reply(CODES.RATE_LIMIT, null, `more than ${ctx.rateLimit.perSecond} requests per second`))
  if (ctx.maintenance) return answer(c, entry, reply(CODES.MAINTENANCE_MODE))
  const fault = await ctx.faults.respond(route.operation, c)
  if (fault) {
    entry.fault = true
    if (!c.env.incoming.socket.destroyed) entry.status = fault.status
    return fault
  }
  const authFailure = verifyRequest(ctx.creds, ctx.nonces, c.env.incoming, body, ctx.now())
  if (authFailure) {
    const code = authFailure.kind === 'client_not_found' ? CODES.OPA_CLIENT_NOT_FOUND : CODES.UNAUTHORIZED
    return answer(c, entry, reply(code, null, authFailure.detail))
  }
  if (json === undefined) return answer(c, entry, reply(CODES.INVALID_REQUEST_PARAMS, null, 'body must be a JSON object'))
  if (!params.every((p) => p !== undefined)) return answer(c, entry, reply(CODES.INVALID_REQUEST_PARAMS, null, 'malformed path'))

  settleDue(ctx)
  const result = await route.handle(ctx, { params: params as string[], query: url.searchParams, json })

  if (route.operation === 'give_cashback' && ctx.loseGive) {
    // The call took effect, but the answer never arrives: the backend must retry with the same id.
    const { delayMs } = ctx.loseGive
    if (--ctx.loseGive.times <= 0) ctx.loseGive = undefined
    Object.assign(entry, { status: result.status, code: result.body.resultInfo.code, lost: true })
    ctx.log(`give ${entry.merchantCashbackId ?? '?'}: answer lost (${result.body.resultInfo.code})`)
    // Hang, then drop; stop waiting early if the client gives up or the sandbox closes.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs)
      c.env.outgoing.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
    })
    return dropConnection(c)
  }
  return answer(c, entry, result)
}

/**
 * The `:name` segments of `path` in the request's own path, each percent-decoded once (undefined
 * when that fails, which the API answers as a malformed path). Hono's params would pass a
 * malformed escape through undecoded.
 */
function rawParams(c: Context, path: string): Array<string | undefined> {
  const segments = new URL(c.req.url).pathname.split('/')
  return path.split('/').flatMap((s, i) => (s.startsWith(':') ? [safeDecode(segments[i] ?? '')] : []))
}

/** Sends the answer with an X-REQUEST-ID shaped like PayPay's (OPA + 32 hex) and logs it. */
function answer(c: Context, entry: ApiCall, r: ApiReply): Response {
  const requestId = `OPA${randomBytes(16).toString('hex').toUpperCase()}`
  Object.assign(entry, { requestId, status: r.status, code: r.body.resultInfo.code })
  return c.json(r.body, r.status as ContentfulStatusCode, { 'x-request-id': requestId })
}

function bodyIds(json: Json | undefined): Ids {
  const pick = (k: string) => (typeof json?.[k] === 'string' ? (json[k] as string) : undefined)
  const ids: Ids = {}
  const cashback = pick('merchantCashbackId')
  const reversal = pick('merchantCashbackReversalId')
  const auth = pick('userAuthorizationId')
  if (cashback !== undefined) ids.merchantCashbackId = cashback
  if (reversal !== undefined) ids.merchantCashbackReversalId = reversal
  if (auth !== undefined) ids.userAuthorizationId = auth
  return ids
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s)
  } catch {
    return undefined
  }
}
