import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { HttpError } from '../../platform/http/errors.ts'
import { refuse } from '../../platform/http/route-kit.ts'
import type { GiftError, GiftErrorCode } from '../domain/errors.ts'
import type { PinHasher } from '../ports.ts'

/** Seed 002 answers every refused redemption with 400; each reason keeps its own code. */
export const GIFT_STATUS: Record<GiftErrorCode, ContentfulStatusCode> = {
  GIFT_NOT_FOUND: 400,
  GIFT_ALREADY_USED: 400,
  GIFT_EXPIRED: 400,
  GIFT_NOT_YET_VALID: 400,
  SUPPLIER_INVOICE_NOT_FOUND: 400,
  INVALID_PIN: 400,
  PIN_LOCKED: 429,
  SUPPLIER_NOT_FOUND: 404,
  SUPPLIER_EXISTS: 409,
  SUPPLIER_ACCOUNT_EXISTS: 409,
  GIFT_EXISTS: 409,
}

/** Throws a gifts refusal as its HTTP error; a PIN lockout tells the caller when to come back. */
export function refuseGift(e: GiftError): never {
  refuse(e, GIFT_STATUS, e.code === 'PIN_LOCKED' ? { 'retry-after': String(e.details?.['retry_after_seconds']) } : {})
}

/** The PIN hasher, or 503 before anything is read or counted when no pepper is configured. */
export function configuredPins(pins: PinHasher | null): PinHasher {
  if (!pins)
    throw new HttpError(503, 'GIFT_PIN_PEPPER_MISSING', 'Supplier PINs cannot be checked or stored: GIFT_PIN_PEPPER is not configured')
  return pins
}
