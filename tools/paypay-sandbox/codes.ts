/**
 * PayPay OPA's answer envelope and the result codes the sandbox answers with
 * (docs/protocols/paypay-opa.md). Every answer is `{resultInfo: {code, message, codeId}, data}`.
 * The HTTP statuses and codes come from PayPay's published table; codeIds are only known for
 * REQUEST_ACCEPTED (08100001) and NOT_ENOUGH_MONEY (WAL_500017), so the others are the sandbox's
 * own `SBX…` values and adapters must key on `code`, never on `codeId`.
 */

export interface ResultInfo {
  code: string
  message: string
  codeId: string
}

export interface Envelope {
  resultInfo: ResultInfo
  data: unknown
}

/** A handler's answer before it goes on the wire: the router logs it, then sends it. */
export interface ApiReply {
  status: number
  body: Envelope
}

export interface Code {
  readonly status: number
  readonly code: string
  readonly message: string
  readonly codeId: string
}

const code = (status: number, c: string, message: string, codeId: string): Code => ({ status, code: c, message, codeId })

export const CODES = {
  /** codeId reused from REQUEST_ACCEPTED: PayPay publishes no SUCCESS codeId. */
  SUCCESS: code(200, 'SUCCESS', 'Success', '08100001'),
  REQUEST_ACCEPTED: code(202, 'REQUEST_ACCEPTED', 'Request accepted', '08100001'),
  /** QR session create: 201 + SUCCESS, as the PHP SDK's wiremock answers [FIXTURE]. */
  CREATED: code(201, 'SUCCESS', 'Success', '08100001'),
  INVALID_REQUEST_PARAMS: code(400, 'INVALID_REQUEST_PARAMS', 'Invalid request params', 'SBX00400'),
  MISSING_REQUEST_PARAMS: code(400, 'MISSING_REQUEST_PARAMS', 'Missing request params', 'SBX00401'),
  /** Re-used merchantCashbackId (FAQ), and the sandbox's choice for other business-rule refusals. */
  VALIDATION_FAILED_EXCEPTION: code(400, 'VALIDATION_FAILED_EXCEPTION', 'Validation failed', 'SBX00402'),
  UNAUTHORIZED: code(401, 'UNAUTHORIZED', 'Unauthorized request', 'SBX01401'),
  OP_OUT_OF_SCOPE: code(401, 'OP_OUT_OF_SCOPE', 'The operation is not permitted', 'SBX01402'),
  INVALID_USER_AUTHORIZATION_ID: code(401, 'INVALID_USER_AUTHORIZATION_ID', 'The user authorization id is not valid', 'SBX01403'),
  EXPIRED_USER_AUTHORIZATION_ID: code(401, 'EXPIRED_USER_AUTHORIZATION_ID', 'The user authorization id has expired', 'SBX01404'),
  OPA_CLIENT_NOT_FOUND: code(404, 'OPA_CLIENT_NOT_FOUND', 'OPA Client not found', 'SBX02404'),
  /** HTTP status [UNCONFIRMED]: PayPay names the code but not its status. */
  TRANSACTION_NOT_FOUND: code(404, 'TRANSACTION_NOT_FOUND', 'Transaction not found', 'SBX02405'),
  METHOD_NOT_ALLOWED: code(405, 'METHOD_NOT_ALLOWED', 'Method not allowed', 'SBX02406'),
  RATE_LIMIT: code(429, 'RATE_LIMIT', 'Too many requests', 'SBX03429'),
  INTERNAL_SERVER_ERROR: code(500, 'INTERNAL_SERVER_ERROR', 'Internal server error', 'SBX04500'),
  MAINTENANCE_MODE: code(503, 'MAINTENANCE_MODE', 'Service is under maintenance', 'SBX04503'),
  /** A failed grant: HTTP 200 on Check Cashback Details with data.status FAILURE [FIXTURE]. */
  NOT_ENOUGH_MONEY: code(200, 'NOT_ENOUGH_MONEY', 'Not enough balance in the campaign budget', 'WAL_500017'),
} as const

export function envelope(c: Code, detail?: string): Envelope['resultInfo'] {
  return { code: c.code, message: detail ? `${c.message}: ${detail}` : c.message, codeId: c.codeId }
}

/** `detail` (what exactly was wrong) is appended to the message, a debugging aid PayPay lacks. */
export function reply(c: Code, data: unknown = null, detail?: string): ApiReply {
  return { status: c.status, body: { resultInfo: envelope(c, detail), data } }
}

/** A failure recorded on a cashback or reversal: Check Details reports it in resultInfo. */
export interface FailureReason {
  code: string
  message: string
  codeId: string
}
