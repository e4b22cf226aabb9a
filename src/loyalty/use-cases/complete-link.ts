import { err, ok, type Result } from '../../shared/result.ts'
import { loyaltyErrors, type LoyaltyError } from '../domain/errors.ts'
import { AUTHORIZATION_VALIDITY_MS, sameSecret, type PayPayLink } from '../domain/link.ts'
import type { LoyaltyDeps } from '../deps.ts'

export interface CompleteLinkCommand {
  readonly responseToken: string
  /** The signed-in user (PUT update_session); absent on PayPay's browser redirect (callback). */
  readonly userId: string | null
  readonly requestId: string
}

/**
 * PayPay's return from consent (`PUT /api/v1/paypay/update_session`, `/sessions/callback`): the
 * responseToken must verify (HS256, base64-decoded API secret), say `succeeded`, and carry the
 * nonce stored for the session its referenceId names. Then the userAuthorizationId is stored for
 * the session's user, once: a replay of the same token answers the same link.
 */
export async function completeLink(
  deps: Pick<LoyaltyDeps, 'links' | 'paypay' | 'clock' | 'logger'>,
  cmd: CompleteLinkCommand,
): Promise<Result<PayPayLink, LoyaltyError>> {
  if (!deps.paypay) return err(loyaltyErrors.paypayNotConfigured())
  const verified = await deps.paypay.verifyResponseToken(cmd.responseToken)
  if (!verified.ok) return err(loyaltyErrors.linkTokenInvalid(verified.reason))
  const claims = verified.claims
  if (!claims.referenceId) return err(loyaltyErrors.linkTokenInvalid('no referenceId'))

  const session = await deps.links.findSession(claims.referenceId)
  // Another user's session is reported exactly like a missing one.
  if (!session || (cmd.userId !== null && session.userId !== cmd.userId)) return err(loyaltyErrors.linkSessionNotFound())
  if (!sameSecret(claims.nonce, session.nonce)) return err(loyaltyErrors.linkTokenInvalid('nonce does not match the session'))

  const now = deps.clock.now()
  if (session.status === 'linked') {
    const link = await deps.links.findLink(session.userId)
    if (link && link.userAuthorizationId === session.userAuthorizationId && claims.userAuthorizationId === link.userAuthorizationId) {
      return ok(link)
    }
    return err(loyaltyErrors.linkSessionNotFound())
  }
  if (session.status !== 'pending') return err(loyaltyErrors.linkSessionNotFound())
  if (session.expiresAt.getTime() <= now.getTime()) return err(loyaltyErrors.linkSessionExpired())
  if (claims.result !== 'succeeded') {
    await deps.links.closeSession(session.id, 'declined', now)
    return err(loyaltyErrors.linkDeclined())
  }
  if (!claims.userAuthorizationId) return err(loyaltyErrors.linkTokenInvalid('no userAuthorizationId'))

  // The authorization's real expiry, when PayPay tells it; else the documented 365 days.
  const status = await deps.paypay.authorizationStatus(claims.userAuthorizationId)
  const expiresAt = status.ok && status.data.expiresAt ? status.data.expiresAt : new Date(now.getTime() + AUTHORIZATION_VALIDITY_MS)
  const link: PayPayLink = {
    userId: session.userId,
    userAuthorizationId: claims.userAuthorizationId,
    status: 'linked',
    profileIdentifier: claims.profileIdentifier,
    expiresAt,
    linkedAt: now,
    updatedAt: now,
  }
  const done = await deps.links.completeSession(session.id, link, {
    actor: `user:${session.userId}`,
    action: 'paypay.linked',
    entityType: 'paypay_link',
    entityId: session.userId,
    requestId: cmd.requestId,
    at: now,
    data: { session_id: session.id, user_authorization_id: link.userAuthorizationId },
  })
  if (!done) {
    // A concurrent completion of the same session won: answer what it stored.
    const current = await deps.links.findLink(session.userId)
    if (current && current.userAuthorizationId === link.userAuthorizationId) return ok(current)
    return err(loyaltyErrors.linkSessionNotFound())
  }
  deps.logger.info('paypay account linked', { user_id: session.userId, session_id: session.id })
  return ok(link)
}
