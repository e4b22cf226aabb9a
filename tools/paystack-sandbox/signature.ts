/**
 * Paystack's webhook signature (docs/protocols/paystack.md): `x-paystack-signature` is the
 * lowercase hex HMAC-SHA512 of the request body, keyed with the secret key. It is computed over the
 * exact bytes sent, so receivers must hash the raw body, never a re-serialised object.
 */
import { createHmac } from 'node:crypto'

export function signPaystackBody(secretKey: string, rawBody: string | Uint8Array): string {
  return createHmac('sha512', secretKey).update(rawBody).digest('hex')
}
