/**
 * Request routing: PayPay's OPA endpoints, the account-link page, and the control API. Every API
 * call passes, in order: rate limit → maintenance → injected fault → OPA-Auth → JSON body → due
 * settlements → handler; each step's answer lands in the request log.
 */
import { randomBytes } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { sendJson, type Handler } from '../shared/http-kit.ts'
import { createQrSession, unlinkUser, userAuthorizationStatus } from './account-link-api.ts'
import { parseJsonObject, type Json } from './body.ts'
import { checkCashback, giveCashback } from './cashback-api.ts'
import { CODES, reply, type ApiReply } from './codes.ts'
import type { SandboxContext } from './context.ts'
import { handleControl } from './control.ts'
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
  pattern: RegExp
  /** Fault-plan operation name, also shown in the request log. */
  operation: string
  handle(ctx: SandboxContext, call: Call): ApiReply | Promise<ApiReply>
  /** Ids carried in the path, for the request log (body ids are picked up generically). */
  pathIds?(params: string[]): Ids
}

const ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/v1\/qr\/sessions$/, operation: 'qr_session', handle: (ctx, c) => createQrSession(ctx, c.json) },
  {
    method: 'GET',
    pattern: /^\/v2\/user\/authorizations$/,
    operation: 'user_authorization_status',
    handle: (ctx, c) => userAuthorizationStatus(ctx, c.query),
  },
  {
    method: 'DELETE',
    pattern: /^\/v2\/user\/authorizations\/([^/]+)$/,
    operation: 'unlink_user',
    handle: (ctx, c) => unlinkUser(ctx, c.params[0]!),
    pathIds: ([id]) => ({ userAuthorizationId: id! }),
  },
  { method: 'POST', pattern: /^\/v2\/cashback$/, operation: 'give_cashback', handle: (ctx, c) => giveCashback(ctx, c.json) },
  {
    method: 'GET',
    pattern: /^\/v2\/cashback\/([^/]+)$/,
    operation: 'check_cashback',
    handle: (ctx, c) => checkCashback(ctx, c.params[0]!),
    pathIds: ([id]) => ({ merchantCashbackId: id! }),
  },
  { method: 'POST', pattern: /^\/v2\/cashback_reversal$/, operation: 'reverse_cashback', handle: (ctx, c) => reverseCashback(ctx, c.json) },
  {
    method: 'GET',
    pattern: /^\/v2\/cashback_reversal\/([^/]+)\/([^/]+)$/,
    operation: 'check_reversal',
    handle: (ctx, c) => checkReversal(ctx, c.params[0]!, c.params[1]!),
    pathIds: ([reversalId, cashbackId]) => ({ merchantCashbackReversalId: reversalId!, merchantCashbackId: cashbackId! }),
  },
]

export function router(ctx: SandboxContext): Handler {
  return async (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const method = req.method ?? 'GET'
    if (ctx.faults.handleControl(req, res, body)) return
    if (url.pathname.startsWith('/__control/')) return handleControl(ctx, method, url, body, res)
    if (url.pathname === '/__health') return sendJson(res, 200, { ok: true })

    const link = /^\/link\/([^/]+)$/.exec(url.pathname)
    if (link) return handleLinkPage(ctx, method, safeDecode(link[1]!) ?? '', body, res)

    const candidates = ROUTES.filter((r) => r.pattern.test(url.pathname))
    if (candidates.length === 0) return sendJson(res, 404, { error: `not found: ${method} ${url.pathname}` })
    const route = candidates.find((r) => r.method === method)
    if (!route) {
      const allow = candidates.map((r) => r.method).join(', ')
      return sendJson(res, 405, reply(CODES.METHOD_NOT_ALLOWED, null, `use ${allow}`).body, { allow })
    }
    return handleApi(ctx, route, req, res, body, url)
  }
}

async function handleApi(
  ctx: SandboxContext,
  route: Route,
  req: Parameters<Handler>[0],
  res: ServerResponse,
  body: Buffer,
  url: URL,
): Promise<void> {
  const rawParams = route.pattern.exec(url.pathname)!.slice(1)
  const params = rawParams.map(safeDecode)
  const json = req.method === 'POST' ? parseJsonObject(body) : {}
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
    return answer(res, entry, reply(CODES.RATE_LIMIT, null, `more than ${ctx.rateLimit.perSecond} requests per second`))
  if (ctx.maintenance) return answer(res, entry, reply(CODES.MAINTENANCE_MODE))
  if (await ctx.faults.apply(route.operation, res)) {
    entry.fault = true
    if (res.headersSent) entry.status = res.statusCode
    return
  }
  const authFailure = verifyRequest(ctx.creds, ctx.nonces, req, body, ctx.now())
  if (authFailure) {
    const code = authFailure.kind === 'client_not_found' ? CODES.OPA_CLIENT_NOT_FOUND : CODES.UNAUTHORIZED
    return answer(res, entry, reply(code, null, authFailure.detail))
  }
  if (json === undefined) return answer(res, entry, reply(CODES.INVALID_REQUEST_PARAMS, null, 'body must be a JSON object'))
  if (!params.every((p) => p !== undefined)) return answer(res, entry, reply(CODES.INVALID_REQUEST_PARAMS, null, 'malformed path'))

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
      res.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
    })
    res.destroy()
    return
  }
  answer(res, entry, result)
}

/** Sends the answer with an X-REQUEST-ID shaped like PayPay's (OPA + 32 hex) and logs it. */
function answer(res: ServerResponse, entry: ApiCall, r: ApiReply): void {
  const requestId = `OPA${randomBytes(16).toString('hex').toUpperCase()}`
  Object.assign(entry, { requestId, status: r.status, code: r.body.resultInfo.code })
  sendJson(res, r.status, r.body, { 'x-request-id': requestId })
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
