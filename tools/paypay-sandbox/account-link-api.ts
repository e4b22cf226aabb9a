/**
 * The account-link endpoints cashback depends on (docs/protocols/paypay-opa.md):
 *   POST   /v1/qr/sessions                                    → 201 SUCCESS {linkQRCodeURL}
 *   GET    /v2/user/authorizations?userAuthorizationId={id}  → 200 SUCCESS {status, scopes, expireAt…}
 *   DELETE /v2/user/authorizations/{userAuthorizationId}     → 200 SUCCESS (unlinked)
 */
import { randomBytes } from 'node:crypto'
import { authorizationStatus } from './authorizations.ts'
import { FieldReader, type Json } from './body.ts'
import { CODES, reply, type ApiReply } from './codes.ts'
import type { SandboxContext } from './context.ts'
import { toSeconds } from './details.ts'
import type { QrSession } from './store.ts'

const REDIRECT_TYPES = ['WEB_LINK', 'APP_DEEP_LINK'] as const

export function createQrSession(ctx: SandboxContext, j: Json): ApiReply {
  const f = new FieldReader(j)
  const scopes = f.stringArray('scopes')
  const nonce = f.text('nonce', 255, true)
  const redirectType = f.oneOf('redirectType', REDIRECT_TYPES) ?? 'WEB_LINK'
  const redirectUrl = f.text('redirectUrl', 2048, true)
  const referenceId = f.text('referenceId', 255, true)
  const phoneNumber = f.text('phoneNumber', 32)
  const deviceId = f.text('deviceId', 255)
  const userAgent = f.text('userAgent', 1024)
  if (f.problem) return reply(f.problem.code, null, f.problem.detail)
  const urlProblem = redirectUrlProblem(redirectUrl!, redirectType)
  if (urlProblem) return reply(CODES.INVALID_REQUEST_PARAMS, null, urlProblem)

  const session: QrSession = {
    id: randomBytes(16).toString('hex'),
    scopes: scopes!,
    nonce: nonce!,
    redirectType,
    redirectUrl: redirectUrl!,
    referenceId: referenceId!,
    ...(phoneNumber !== undefined && { phoneNumber }),
    ...(deviceId !== undefined && { deviceId }),
    ...(userAgent !== undefined && { userAgent }),
    createdAt: ctx.now(),
    state: 'pending',
  }
  ctx.store.sessions.set(session.id, session)
  const linkQRCodeURL = `${ctx.publicUrl}/link/${session.id}`
  ctx.log(`qr session ${referenceId} scopes ${scopes!.join(',')} → ${linkQRCodeURL}`)
  return reply(CODES.CREATED, { linkQRCodeURL })
}

/**
 * WEB_LINK needs HTTPS on a domain registered with PayPay; the sandbox has no registry, so it
 * takes any https URL and, for local development, http on loopback hosts only. Deep links may use
 * the app's own scheme.
 */
function redirectUrlProblem(raw: string, type: QrSession['redirectType']): string | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'redirectUrl must be an absolute URL'
  }
  if (type === 'APP_DEEP_LINK' || url.protocol === 'https:') return undefined
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.endsWith('.localhost')
  if (url.protocol === 'http:' && loopback) return undefined
  return 'redirectUrl must be https (http only on localhost) for WEB_LINK'
}

export function userAuthorizationStatus(ctx: SandboxContext, query: URLSearchParams): ApiReply {
  const id = query.get('userAuthorizationId')
  if (!id) return reply(CODES.MISSING_REQUEST_PARAMS, null, 'userAuthorizationId')
  const a = ctx.store.authorizations.get(id)
  if (!a) return reply(CODES.INVALID_USER_AUTHORIZATION_ID, null, id)
  return reply(CODES.SUCCESS, {
    userAuthorizationId: a.userAuthorizationId,
    referenceIds: a.referenceIds,
    status: authorizationStatus(a, ctx.now()),
    scopes: a.scopes,
    expireAt: toSeconds(a.expireAt),
    issuedAt: toSeconds(a.issuedAt),
  })
}

export function unlinkUser(ctx: SandboxContext, id: string): ApiReply {
  const a = ctx.store.authorizations.get(id)
  // An already unlinked id is no longer valid anywhere, this endpoint included [INFERENCE].
  if (!a || a.revoked) return reply(CODES.INVALID_USER_AUTHORIZATION_ID, null, id)
  a.revoked = true
  ctx.log(`unlink ${id}`)
  return reply(CODES.SUCCESS)
}
