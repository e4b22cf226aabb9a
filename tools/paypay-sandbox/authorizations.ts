/**
 * User authorizations (docs/protocols/paypay-opa.md): what an approved account link creates, what
 * Give checks, and what the status / unlink endpoints report. A PayPay user is identified here by
 * phone number, so linking the same number again reuses (and extends) the same userAuthorizationId
 * — unless that one was unlinked, which makes the next link a new authorization [INFERENCE].
 */
import { randomInt, randomUUID } from 'node:crypto'
import { CODES, reply, type ApiReply } from './codes.ts'
import type { SandboxContext } from './context.ts'
import { AUTHORIZATION_VALIDITY_MS } from './settlement.ts'
import type { UserAuthorization } from './store.ts'

/** Status values of Get user authorization status are [UNCONFIRMED]; these are the sandbox's. */
export type AuthorizationStatus = 'ACTIVE' | 'EXPIRED' | 'REVOKED'

export function authorizationStatus(a: UserAuthorization, now: number): AuthorizationStatus {
  return a.revoked ? 'REVOKED' : now >= a.expireAt ? 'EXPIRED' : 'ACTIVE'
}

/** "*******5678": PayPay shows a masked phone number as the profile identifier. */
export function maskPhone(phone: string): string {
  return `${'*'.repeat(Math.max(phone.length - 4, 0))}${phone.slice(-4)}`
}

export function randomPhone(): string {
  return `090${String(randomInt(0, 1e8)).padStart(8, '0')}`
}

export function linkUser(
  ctx: SandboxContext,
  input: { phoneNumber: string; scopes: readonly string[]; referenceId?: string; profileIdentifier?: string },
): UserAuthorization {
  const now = ctx.now()
  const existing = ctx.store.authorizationByPhone(input.phoneNumber)
  const a: UserAuthorization = existing ?? {
    userAuthorizationId: randomUUID(),
    phoneNumber: input.phoneNumber,
    profileIdentifier: input.profileIdentifier ?? maskPhone(input.phoneNumber),
    scopes: [],
    referenceIds: [],
    issuedAt: now,
    expireAt: now,
    revoked: false,
  }
  for (const s of input.scopes) if (!a.scopes.includes(s)) a.scopes.push(s)
  if (input.referenceId !== undefined && !a.referenceIds.includes(input.referenceId)) a.referenceIds.push(input.referenceId)
  // Re-authorization extends the validity (docs/protocols/paypay-opa.md).
  a.expireAt = now + AUTHORIZATION_VALIDITY_MS
  ctx.store.authorizations.set(a.userAuthorizationId, a)
  ctx.log(`link ${a.userAuthorizationId} (${a.profileIdentifier}) scopes ${a.scopes.join(',')}`)
  return a
}

/** Why this authorization cannot be used for `scope` right now, as PayPay would answer. */
export function authorizationProblem(ctx: SandboxContext, userAuthorizationId: string, scope: string): ApiReply | undefined {
  const a = ctx.store.authorizations.get(userAuthorizationId)
  if (!a) return reply(CODES.INVALID_USER_AUTHORIZATION_ID, null, userAuthorizationId)
  switch (authorizationStatus(a, ctx.now())) {
    case 'REVOKED':
      return reply(CODES.INVALID_USER_AUTHORIZATION_ID, null, `${userAuthorizationId} was unlinked`)
    case 'EXPIRED':
      return reply(CODES.EXPIRED_USER_AUTHORIZATION_ID, null, userAuthorizationId)
    case 'ACTIVE':
      return a.scopes.includes(scope) ? undefined : reply(CODES.OP_OUT_OF_SCOPE, null, `authorization lacks scope "${scope}"`)
  }
}
