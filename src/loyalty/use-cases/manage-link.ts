import { err, ok, type Result } from '../../shared/result.ts'
import { loyaltyErrors, type LoyaltyError } from '../domain/errors.ts'
import { effectiveLinkStatus, type LinkStatus, type PayPayLink } from '../domain/link.ts'
import { gatewayError } from './gateway-errors.ts'
import type { LoyaltyDeps } from '../deps.ts'

export interface LinkView {
  readonly link: PayPayLink | null
  /** As of now: a linked authorization past its expiry reads `expired`. */
  readonly status: LinkStatus | 'none'
}

/**
 * The user's link. With `refresh`, PayPay's Get user authorization status is asked too and an
 * expired or revoked authorization is recorded as such.
 */
export async function linkStatus(
  deps: Pick<LoyaltyDeps, 'links' | 'paypay' | 'clock'>,
  cmd: { userId: string; refresh: boolean },
): Promise<Result<LinkView, LoyaltyError>> {
  let link = await deps.links.findLink(cmd.userId)
  if (link && cmd.refresh && link.status === 'linked') {
    if (!deps.paypay) return err(loyaltyErrors.paypayNotConfigured())
    const res = await deps.paypay.authorizationStatus(link.userAuthorizationId)
    const now = deps.clock.now()
    if (res.ok) {
      const status: LinkStatus = res.data.status === 'ACTIVE' ? 'linked' : res.data.status === 'EXPIRED' ? 'expired' : 'revoked'
      if (status !== 'linked') await deps.links.setLinkStatus(cmd.userId, link.userAuthorizationId, status, now)
      else if (res.data.expiresAt) await deps.links.extendLink(link.userAuthorizationId, res.data.expiresAt)
    } else if (res.kind === 'refused' && res.code === 'INVALID_USER_AUTHORIZATION_ID') {
      await deps.links.setLinkStatus(cmd.userId, link.userAuthorizationId, 'revoked', now)
    } else return err(gatewayError(res))
    link = await deps.links.findLink(cmd.userId)
  }
  return ok({ link, status: link ? effectiveLinkStatus(link, deps.clock.now()) : 'none' })
}

/**
 * Unlinking: PayPay's Unlink user, then the link is recorded as unlinked. An authorization PayPay
 * no longer knows is already unlinked there. Cashbacks in flight keep their own authorization id
 * and fail (points back) if PayPay refuses them.
 */
export async function unlink(
  deps: Pick<LoyaltyDeps, 'links' | 'paypay' | 'clock' | 'logger'>,
  cmd: { userId: string; requestId: string },
): Promise<Result<PayPayLink, LoyaltyError>> {
  const link = await deps.links.findLink(cmd.userId)
  if (!link || link.status === 'unlinked') return err(loyaltyErrors.notLinked())
  if (!deps.paypay) return err(loyaltyErrors.paypayNotConfigured())
  const res = await deps.paypay.unlink(link.userAuthorizationId)
  if (!res.ok && !(res.kind === 'refused' && res.code === 'INVALID_USER_AUTHORIZATION_ID')) return err(gatewayError(res))
  const now = deps.clock.now()
  await deps.links.setLinkStatus(cmd.userId, link.userAuthorizationId, 'unlinked', now, {
    actor: `user:${cmd.userId}`,
    action: 'paypay.unlinked',
    entityType: 'paypay_link',
    entityId: cmd.userId,
    requestId: cmd.requestId,
    at: now,
    data: { user_authorization_id: link.userAuthorizationId },
  })
  deps.logger.info('paypay account unlinked', { user_id: cmd.userId })
  return ok({ ...link, status: 'unlinked', updatedAt: now })
}
