import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose'
import type { Config } from './config.ts'

/** The authenticated caller. `sub` of the token is the user id; a role claim marks admins. */
export interface Principal {
  readonly userId: string
  readonly roles: readonly string[]
  readonly isAdmin: boolean
}

export type TokenVerifier = (token: string) => Promise<Principal | null>

// One JWKS cache per URL per isolate: jose refetches on unknown `kid` and respects a cooldown.
const jwksByUrl = new Map<string, ReturnType<typeof createRemoteJWKSet>>()

/**
 * HS256 tokens are checked with the local secret, anything else against the identity provider's
 * JWKS; both must carry the configured issuer and audience. Invalid tokens yield null, never throw.
 */
export function createTokenVerifier(
  config: Pick<Config, 'AUTH_ISSUER' | 'AUTH_AUDIENCE' | 'AUTH_JWKS_URL' | 'AUTH_HS256_SECRET'>,
): TokenVerifier {
  const secret = config.AUTH_HS256_SECRET ? new TextEncoder().encode(config.AUTH_HS256_SECRET) : null
  const jwksUrl = config.AUTH_JWKS_URL
  const options = { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE }
  return async (token) => {
    try {
      const { alg } = decodeProtectedHeader(token)
      let payload: JWTPayload
      if (alg === 'HS256') {
        if (!secret) return null
        payload = (await jwtVerify(token, secret, { ...options, algorithms: ['HS256'] })).payload
      } else {
        if (!jwksUrl) return null
        let jwks = jwksByUrl.get(jwksUrl)
        if (!jwks) jwksByUrl.set(jwksUrl, (jwks = createRemoteJWKSet(new URL(jwksUrl))))
        payload = (await jwtVerify(token, jwks, { ...options, algorithms: ['RS256', 'ES256', 'EdDSA'] })).payload
      }
      return toPrincipal(payload)
    } catch {
      return null
    }
  }
}

function toPrincipal(p: JWTPayload): Principal | null {
  if (typeof p.sub !== 'string' || p.sub === '') return null
  const raw = p['roles'] ?? p['role']
  const roles = (Array.isArray(raw) ? raw : [raw]).filter((r): r is string => typeof r === 'string')
  return { userId: p.sub, roles, isAdmin: roles.includes('admin') }
}
