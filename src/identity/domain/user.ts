import type { Brand } from '../../shared/brand.ts'

export type UserId = Brand<string, 'UserId'>
/** Trimmed and lower-cased: the same mailbox is one account whatever the caller typed. */
export type Email = Brand<string, 'Email'>

export interface User {
  readonly id: UserId
  readonly email: Email
  readonly roles: readonly string[]
}

export const normaliseEmail = (raw: string): Email => raw.trim().toLowerCase() as Email
