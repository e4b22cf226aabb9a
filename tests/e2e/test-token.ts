import { SignJWT } from 'jose'
import { TEST_ENV } from '../support/test-env.ts'

/** An HS256 token the test servers accept (TEST_ENV's secret, issuer and audience). */
export const testToken = (sub: string, roles: string[] = [], expiresIn = '1h') =>
  new SignJWT({ roles })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(TEST_ENV.issuer)
    .setAudience(TEST_ENV.audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(TEST_ENV.hs256Secret))
