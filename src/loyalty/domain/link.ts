/**
 * The user's PayPay account link (seed 000 "Login with PayPay"; docs/protocols/paypay-opa.md,
 * "Account link"): a QR/web session with a nonce we keep, PayPay's signed responseToken on
 * return, and the userAuthorizationId every Give needs. Authorizations last 365 days and are extended by grants.
 */
export const LINK_STATUSES = ['linked', 'unlinked', 'expired', 'revoked'] as const
export type LinkStatus = (typeof LINK_STATUSES)[number]

export interface PayPayLink {
  readonly userId: string
  readonly userAuthorizationId: string
  readonly status: LinkStatus
  readonly profileIdentifier: string | null
  readonly expiresAt: Date | null
  readonly linkedAt: Date
  readonly updatedAt: Date
}

export const LINK_SESSION_STATUSES = ['pending', 'linked', 'declined', 'failed'] as const
export type LinkSessionStatus = (typeof LINK_SESSION_STATUSES)[number]

export interface LinkSession {
  readonly id: string
  readonly userId: string
  readonly nonce: string
  readonly status: LinkSessionStatus
  readonly linkUrl: string | null
  readonly expiresAt: Date
  readonly createdAt: Date
  readonly userAuthorizationId: string | null
}

/** How long a started link may take to come back (PayPay's responseToken itself lives 5 minutes). */
export const LINK_SESSION_TTL_MS = 15 * 60 * 1000
/** An authorization lasts 365 days; each grant extends it (docs/protocols/paypay-opa.md). */
export const AUTHORIZATION_VALIDITY_MS = 365 * 24 * 60 * 60 * 1000

/** The link status as of `now`: a linked authorization past its expiry counts as expired. */
export function effectiveLinkStatus(link: PayPayLink, now: Date): LinkStatus {
  if (link.status === 'linked' && link.expiresAt !== null && link.expiresAt.getTime() <= now.getTime()) return 'expired'
  return link.status
}

export const isLive = (link: PayPayLink | null, now: Date): link is PayPayLink =>
  link !== null && effectiveLinkStatus(link, now) === 'linked'

/** Claims of PayPay's responseToken that the merchant reads (docs/protocols/paypay-opa.md). */
export interface ResponseTokenClaims {
  readonly result: string
  readonly nonce: string
  readonly userAuthorizationId: string | null
  readonly referenceId: string | null
  readonly profileIdentifier: string | null
}

/** Compares two secrets in time that depends only on their lengths. */
export function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a)
  const y = new TextEncoder().encode(b)
  let diff = x.length ^ y.length
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}
