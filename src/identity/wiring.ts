import type { Deps } from '../container.ts'
import { Pbkdf2Hasher } from '../platform/crypto/pbkdf2-hasher.ts'
import { DrizzleUserRepository } from './adapters/drizzle-user-repository.ts'
import { JoseTokenIssuer } from './adapters/jose-token-issuer.ts'
import { RedisLoginThrottle } from './adapters/redis-login-throttle.ts'
import type { IdentityDeps } from './deps.ts'

const passwords = new Pbkdf2Hasher()

/** The identity context's adapters, built when an identity route first asks for them. */
export function wireIdentity({ config, db, redis, clock }: Deps): IdentityDeps {
  return {
    users: new DrizzleUserRepository(db),
    passwords,
    throttle: new RedisLoginThrottle(redis),
    tokens: config.AUTH_HS256_SECRET ? new JoseTokenIssuer(config.AUTH_HS256_SECRET, config.AUTH_ISSUER, config.AUTH_AUDIENCE) : null,
    clock,
  }
}
