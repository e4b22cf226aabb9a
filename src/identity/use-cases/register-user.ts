import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { identityErrors, type IdentityError } from '../domain/errors.ts'
import { normaliseEmail, type User, type UserId } from '../domain/user.ts'
import type { IdentityDeps } from '../deps.ts'

export type RegisterDeps = Pick<IdentityDeps, 'users' | 'passwords' | 'clock'>

/** Self-registration never grants roles; admins are made by an operator, not by a request. */
export async function registerUser(
  deps: RegisterDeps,
  cmd: { email: string; password: string; requestId: string },
): Promise<Result<User, IdentityError>> {
  const now = deps.clock.now()
  const id = prefixedId('usr', now.getTime()) as UserId
  const user = await deps.users.create(
    { id, email: normaliseEmail(cmd.email), passwordHash: await deps.passwords.hash(cmd.password), roles: [] },
    { actor: id, action: 'user.registered', entityType: 'user', entityId: id, requestId: cmd.requestId, at: now },
  )
  return user ? ok(user) : err(identityErrors.emailTaken())
}
