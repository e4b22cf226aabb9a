import { SignJWT } from 'jose'
import type { User } from '../domain/user.ts'
import type { IssuedToken, TokenIssuer } from '../ports.ts'

/**
 * HS256 access tokens with the configured issuer and audience: exactly what the platform's token
 * verifier accepts, next to any identity provider's RS256/ES256 tokens.
 */
export class JoseTokenIssuer implements TokenIssuer {
  private readonly key: Uint8Array

  constructor(
    secret: string,
    private readonly issuer: string,
    private readonly audience: string,
    private readonly ttlSeconds = 3600,
  ) {
    this.key = new TextEncoder().encode(secret)
  }

  async issue(user: User): Promise<IssuedToken> {
    const accessToken = await new SignJWT({ roles: [...user.roles], email: user.email })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .setJti(crypto.randomUUID())
      .sign(this.key)
    return { accessToken, expiresInSeconds: this.ttlSeconds }
  }
}
