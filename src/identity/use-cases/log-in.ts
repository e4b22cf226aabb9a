import type { Defer } from '../../shared/defer.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { identityErrors, type IdentityError } from '../domain/errors.ts'
import { normaliseEmail, type User } from '../domain/user.ts'
import type { IdentityDeps } from '../deps.ts'
import type { IssuedToken } from '../ports.ts'

export type LogInDeps = Pick<IdentityDeps, 'users' | 'passwords' | 'throttle' | 'tokens'>

// A well-formed hash of a random password: unknown emails cost the same time as wrong passwords.
const DECOY_HASH = 'pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='

/**
 * One Postgres statement (the user by email) and one Redis call (the throttle) before the answer
 * (issue 13); giving a successful attempt back to the throttle is deferred.
 */
export async function logIn(
  deps: LogInDeps & { readonly defer: Defer },
  cmd: { email: string; password: string; ip: string },
): Promise<Result<{ user: User; token: IssuedToken }, IdentityError>> {
  if (!deps.tokens) return err(identityErrors.localLoginDisabled())
  const email = normaliseEmail(cmd.email)
  const gate = await deps.throttle.begin(email, cmd.ip)
  if (!gate.allowed) return err(identityErrors.throttled(gate.retryAfterSeconds))

  const found = await deps.users.findByEmail(email)
  const matches = await deps.passwords.verify(cmd.password, found?.passwordHash ?? DECOY_HASH)
  if (!found || !matches) return err(identityErrors.invalidCredentials())

  // Cannot change this answer, so the caller does not wait for it; until it lands (or if it is
  // lost, logged by the Defer) the attempt stays counted, which errs on the strict side.
  deps.defer('identity.login-throttle.forgive', () => deps.throttle.succeeded(email, cmd.ip))
  const { passwordHash: _, ...user } = found
  return ok({ user, token: await deps.tokens.issue(user) })
}
