/**
 * Paystack's answer envelopes (docs/protocols/paystack.md): `{status: true, message, data}` on
 * success and `{status: false, message, meta?: {nextStep}, type?, code?}` on failure. Messages come
 * from Paystack's published error list (PaystackOSS/openapi errors/api-errors.json) where one
 * exists; the rest are the sandbox's own wording (README, "Fidelity notes").
 */

export interface Reply {
  http: number
  body: unknown
}

export const ok = (message: string, data: unknown, extra: Record<string, unknown> = {}): Reply => ({
  http: 200,
  body: { status: true, message, data, ...extra },
})

/** A failed API call; thrown by handlers and answered by the router. */
export class ApiError extends Error {
  constructor(
    readonly http: number,
    message: string,
    readonly detail: { type?: string; code?: string; nextStep?: string } = {},
  ) {
    super(message)
  }

  get body(): Record<string, unknown> {
    const { type, code, nextStep } = this.detail
    return {
      status: false,
      message: this.message,
      ...(nextStep !== undefined && { meta: { nextStep } }),
      ...(type !== undefined && { type }),
      ...(code !== undefined && { code }),
    }
  }
}

/** 401s carry only status and message, as in the OpenAPI spec's sample. */
export const unauthorized = (message: string) => new ApiError(401, message)

/** A 400 validation_error; `invalid_params` is the code Paystack uses for bad input. */
export const invalid = (message: string, nextStep?: string, code = 'invalid_params') =>
  new ApiError(400, message, { type: 'validation_error', code, ...(nextStep !== undefined && { nextStep }) })

export const notFound = (message: string, nextStep?: string) =>
  new ApiError(404, message, { type: 'validation_error', code: 'not_found', ...(nextStep !== undefined && { nextStep }) })

export const AUTH = {
  NO_HEADER: 'No Authorization Header was found',
  FORMAT: 'Format is Authorization Bearer [secret key]',
  INVALID_KEY: 'Invalid key',
} as const

export const duplicateReference = () =>
  invalid('Duplicate Transaction Reference', 'Try and create the Transaction or Charge with a new reference', 'duplicate_reference')

export const transactionNotFound = () =>
  notFound('Transaction reference not found', "Ensure that you're passing the reference of a transaction that exists on this integration")
