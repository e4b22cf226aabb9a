import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import type { Principal } from '../../platform/auth.ts'
import { calendarDate, pageLimit, prefixedId, text } from '../../platform/http/schemas.ts'
import { PG_INTEGER_MAX } from '../../platform/http/validation.ts'
import { CASHBACK_STATUSES, MAX_EXCHANGE_POINTS, MIN_EXCHANGE_POINTS } from '../domain/cashback.ts'
import type { LoyaltyErrorCode } from '../domain/errors.ts'
import { HISTORY_SOURCES } from '../domain/history.ts'
import { MAX_POINTS_PER_ENTRY } from '../domain/ledger.ts'

/** The loyalty routes' requests (bodies, queries, path parameters) and the error→status table. */

const UserId = text(200)
const BusinessDate = calendarDate.describe('a JST business day')

export const ExchangeRequest = z.strictObject({
  points: z.number().int().min(MIN_EXCHANGE_POINTS).max(MAX_EXCHANGE_POINTS).describe('points to exchange (1 point = 1 JPY)'),
})

export const PointsQuery = z.object({ limit: pageLimit, before: prefixedId('ple').optional() })

export const GrantRequest = z.strictObject({
  user_id: UserId,
  points: z
    .number()
    .int()
    .min(-MAX_POINTS_PER_ENTRY)
    .max(MAX_POINTS_PER_ENTRY)
    .refine((n) => n !== 0, 'must not be 0'),
  kind: z.enum(['earn', 'adjustment']).default('adjustment'),
  reason: text(500),
  idempotency_key: z
    .string()
    .regex(/^[\x21-\x7e]{1,150}$/)
    .optional()
    .describe('the grant’s key (or send an Idempotency-Key header): the same key never grants twice'),
})

/** PayPay's responseToken; read by the handler from the query, a JSON body or a form (not validated as a body). */
export const TokenBody = z.object({ responseToken: z.string().min(10).max(8192) })
export const LinkQuery = z.object({ refresh: z.enum(['true', 'false']).default('false') })
export const CashbackParam = z.object({ merchant_cashback_id: prefixedId('pcb') })
export const CashbackListQuery = z.object({
  limit: pageLimit,
  before: prefixedId('pcb').optional(),
  status: z.enum(CASHBACK_STATUSES).optional(),
})
export const AdminCashbackListQuery = CashbackListQuery.extend({ user_id: UserId.optional() })
export const UserParam = z.object({ user_id: UserId })

export const ReversalRequest = z.strictObject({
  amount: z.number().int().min(1).max(MAX_EXCHANGE_POINTS).optional().describe('JPY to take back; absent = all that is left'),
  reason: text(255).optional(),
})

export const FileParam = z.object({ file_id: prefixedId('phf') })
export const FilesQuery = z.object({
  source: z.enum(HISTORY_SOURCES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  offset: z.coerce.number().int().min(0).max(PG_INTEGER_MAX).default(0),
})
export const RowsQuery = z.object({
  status: z
    .string()
    .regex(/^[A-Za-z_]{1,20}$/)
    .optional()
    .describe('ACCEPTED, SUCCESS or FAILURE'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(PG_INTEGER_MAX).default(0),
})
export const ReconcileQuery = RowsQuery.omit({ status: true }).extend({ only_problems: z.enum(['true', 'false']).default('false') })
export const UploadRequest = z.strictObject({ business_date: BusinessDate, content: z.string().min(1).max(900_000) })
export const ExportRequest = z.strictObject({ business_date: BusinessDate.optional() })

/** One status per loyalty error code; a new code without one fails the type check. */
export const STATUS: Record<LoyaltyErrorCode, ContentfulStatusCode> = {
  PAYPAY_NOT_CONFIGURED: 503,
  PAYPAY_UNAVAILABLE: 503,
  PAYPAY_REFUSED: 502,
  INVALID_LEDGER_ENTRY: 400,
  INSUFFICIENT_POINTS: 409,
  PAYPAY_NOT_LINKED: 409,
  PAYPAY_LINK_EXPIRED: 409,
  LINK_TOKEN_INVALID: 400,
  LINK_SESSION_NOT_FOUND: 404,
  LINK_SESSION_EXPIRED: 410,
  LINK_DECLINED: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  CASHBACK_NOT_FOUND: 404,
  CASHBACK_NOT_REVERSIBLE: 409,
  REVERSAL_AMOUNT_TOO_LARGE: 409,
  HISTORY_FILE_NOT_FOUND: 404,
  HISTORY_FILE_INVALID: 400,
}

/** Who an admin action is recorded as (ledger reasons, audit rows). */
export const actorOf = (p: Principal) => `user:${p.userId}`
