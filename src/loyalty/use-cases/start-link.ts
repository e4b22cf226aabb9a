import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { loyaltyErrors, type LoyaltyError } from '../domain/errors.ts'
import { LINK_SESSION_TTL_MS, type LinkSession } from '../domain/link.ts'
import { gatewayError } from './gateway-errors.ts'
import type { LoyaltyDeps } from '../deps.ts'

/** A nonce PayPay echoes in the responseToken: 128 random bits, hex. */
function newNonce(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * Seed 000 "Login with PayPay", `POST /api/v1/paypay/sessions`: stores a session with a fresh
 * nonce for the user, then asks PayPay for an account-link QR session (scope cashback) whose
 * referenceId is our session id; the user opens the returned URL.
 */
export async function startLink(
  deps: Pick<LoyaltyDeps, 'links' | 'paypay' | 'clock' | 'logger' | 'settings'>,
  cmd: { userId: string },
): Promise<Result<LinkSession & { linkUrl: string }, LoyaltyError>> {
  if (!deps.paypay) return err(loyaltyErrors.paypayNotConfigured())
  const now = deps.clock.now()
  const session: LinkSession = {
    id: prefixedId('pls', now.getTime()),
    userId: cmd.userId,
    nonce: newNonce(),
    status: 'pending',
    linkUrl: null,
    expiresAt: new Date(now.getTime() + LINK_SESSION_TTL_MS),
    createdAt: now,
    userAuthorizationId: null,
  }
  await deps.links.createSession(session)
  const res = await deps.paypay.createLinkSession({
    nonce: session.nonce,
    referenceId: session.id,
    redirectUrl: deps.settings.linkRedirectUrl,
  })
  if (!res.ok) {
    await deps.links.closeSession(session.id, 'failed', deps.clock.now())
    deps.logger.warn('paypay link session refused', { code: res.code, kind: res.kind })
    return err(gatewayError(res))
  }
  await deps.links.setSessionLinkUrl(session.id, res.data.linkUrl)
  return ok({ ...session, linkUrl: res.data.linkUrl })
}
