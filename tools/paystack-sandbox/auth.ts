/**
 * Paystack's API authentication (docs/protocols/paystack.md): `Authorization: Bearer <secret key>`.
 * The public key is for checkout widgets only, so it is refused here like any wrong key.
 */
import { timingSafeEqual } from 'node:crypto'
import { AUTH, unauthorized, type ApiError } from './errors.ts'

export function authError(header: string | undefined, secretKey: string): ApiError | undefined {
  if (header === undefined || header.trim() === '') return unauthorized(AUTH.NO_HEADER)
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!match) return unauthorized(AUTH.FORMAT)
  const given = Buffer.from(match[1]!)
  const expected = Buffer.from(secretKey)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return unauthorized(AUTH.INVALID_KEY)
  return undefined
}
