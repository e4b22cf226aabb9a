import type { AuditEntry } from '../shared/audit.ts'
import type { Email, User, UserId } from './domain/user.ts'

export interface UserRepository {
  /** Returns null when the email is taken (also when a concurrent registration took it first). */
  create(user: { id: UserId; email: Email; passwordHash: string; roles: readonly string[] }, audit: AuditEntry): Promise<User | null>
  findByEmail(email: Email): Promise<(User & { passwordHash: string }) | null>
  findById(id: string): Promise<User | null>
}

export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(password: string, stored: string): Promise<boolean>
}

export type ThrottleState = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number }

/**
 * Limits login attempts per account and per client IP in a fixed window. An attempt is counted
 * before the password is checked (so parallel guesses cannot slip past) and forgiven when it
 * succeeds. Implementations fail closed (throw) when their store is unreachable.
 */
export interface LoginThrottle {
  begin(email: Email, ip: string): Promise<ThrottleState>
  succeeded(email: Email, ip: string): Promise<void>
}

export interface IssuedToken {
  readonly accessToken: string
  readonly expiresInSeconds: number
}

/** Signs the service's own access tokens (the ones its auth middleware accepts). */
export interface TokenIssuer {
  issue(user: User): Promise<IssuedToken>
}
