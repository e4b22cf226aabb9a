import { domainError } from '../../shared/result.ts'

/** Every refusal of the loyalty context, each with a stable code (statuses: http/schemas.ts STATUS). */
export const loyaltyErrors = {
  paypayNotConfigured: () =>
    domainError(
      'PAYPAY_NOT_CONFIGURED',
      'PayPay is not configured on this service (PAYPAY_API_KEY, PAYPAY_API_SECRET, PAYPAY_MERCHANT_ID)',
    ),
  paypayUnavailable: (code: string) =>
    domainError('PAYPAY_UNAVAILABLE', 'PayPay did not answer usefully; retry later', { paypay_code: code }),
  paypayRefused: (code: string, message: string) =>
    domainError('PAYPAY_REFUSED', `PayPay refused the request: ${code}`, { paypay_code: code, paypay_message: message }),
  invalidEntry: (problem: string) => domainError('INVALID_LEDGER_ENTRY', problem),
  insufficientPoints: (balance: number, requested: number) =>
    domainError('INSUFFICIENT_POINTS', `Balance ${balance} is less than ${requested}`, { balance, requested }),
  notLinked: () => domainError('PAYPAY_NOT_LINKED', 'Link a PayPay account first (POST /api/v1/paypay/sessions)'),
  linkExpired: (expiresAt: Date | null) =>
    domainError('PAYPAY_LINK_EXPIRED', 'The PayPay account link has expired or was revoked; link again', {
      expires_at: expiresAt?.toISOString() ?? null,
    }),
  linkTokenInvalid: (why: string) => domainError('LINK_TOKEN_INVALID', `responseToken rejected: ${why}`),
  linkSessionNotFound: () => domainError('LINK_SESSION_NOT_FOUND', 'No pending PayPay link session matches this token'),
  linkSessionExpired: () => domainError('LINK_SESSION_EXPIRED', 'The PayPay link session has expired; start a new one'),
  linkDeclined: () => domainError('LINK_DECLINED', 'The PayPay account link was declined'),
  idempotencyConflict: () => domainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request'),
  cashbackNotFound: (id: string) => domainError('CASHBACK_NOT_FOUND', 'Cashback not found', { merchant_cashback_id: id }),
  notReversible: (id: string, status: string, reversible: number) =>
    domainError('CASHBACK_NOT_REVERSIBLE', `Cashback ${id} is ${status}; reversible amount ${reversible} JPY`, {
      merchant_cashback_id: id,
      status,
      reversible,
    }),
  reversalTooLarge: (requested: number, reversible: number) =>
    domainError('REVERSAL_AMOUNT_TOO_LARGE', `At most ${reversible} JPY of this cashback can still be reversed`, {
      requested,
      reversible,
    }),
  historyFileNotFound: (id: string) => domainError('HISTORY_FILE_NOT_FOUND', 'History file not found', { file_id: id }),
  historyFileInvalid: (problem: string) => domainError('HISTORY_FILE_INVALID', `The transaction file cannot be read: ${problem}`),
}

export type LoyaltyError = ReturnType<(typeof loyaltyErrors)[keyof typeof loyaltyErrors]>
export type LoyaltyErrorCode = LoyaltyError['code']
