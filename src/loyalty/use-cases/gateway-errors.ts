import { loyaltyErrors, type LoyaltyError } from '../domain/errors.ts'
import type { PayPayFailure } from '../ports.ts'

/** A failed PayPay call as the API reports it: retry later (503) or refused (502). */
export const gatewayError = (f: PayPayFailure): LoyaltyError =>
  f.kind === 'transient' ? loyaltyErrors.paypayUnavailable(f.code) : loyaltyErrors.paypayRefused(f.code, f.message)

/** PayPay's codes that say the user authorization itself is unusable (docs/protocols/paypay-opa.md). */
export const AUTHORIZATION_CODES: Readonly<Record<string, 'revoked' | 'expired'>> = {
  INVALID_USER_AUTHORIZATION_ID: 'revoked',
  EXPIRED_USER_AUTHORIZATION_ID: 'expired',
  OP_OUT_OF_SCOPE: 'revoked',
}
