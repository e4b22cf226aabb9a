import type { Clock } from '../shared/clock.ts'
import type { LoginThrottle, PasswordHasher, TokenIssuer, UserRepository } from './ports.ts'

/** The identity context's ports, as its wiring (wiring.ts) builds them. */
export interface IdentityDeps {
  readonly users: UserRepository
  readonly passwords: PasswordHasher
  readonly throttle: LoginThrottle
  /** Null when the deployment only accepts an external identity provider's tokens. */
  readonly tokens: TokenIssuer | null
  readonly clock: Clock
}
