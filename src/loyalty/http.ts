import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import type { AppEnv } from '../platform/http/app-env.ts'
import { requireAdmin, requireUser } from '../platform/http/auth-middleware.ts'
import { domainErrorResponse, errorResponse, HttpError } from '../platform/http/errors.ts'
import { idempotency } from '../platform/http/idempotency.ts'
import { errors, type RouteDoc } from '../platform/http/openapi.ts'
import { PG_INTEGER_MAX, validate } from '../platform/http/validation.ts'
import { CASHBACK_STATUSES, MAX_EXCHANGE_POINTS, MIN_EXCHANGE_POINTS, type Cashback, type MerchantCashbackId } from './domain/cashback.ts'
import type { LoyaltyErrorCode } from './domain/errors.ts'
import { HISTORY_SOURCES, type HistoryFile, type HistoryRow, type MatchedRow } from './domain/history.ts'
import { LEDGER_KINDS, MAX_POINTS_PER_ENTRY, type LedgerEntry, type LedgerEntryId } from './domain/ledger.ts'
import { effectiveLinkStatus, type PayPayLink } from './domain/link.ts'
import { REVERSAL_STATUSES, type Reversal } from './domain/reversal.ts'
import { handleCashbackNotification } from './use-cases/cashback-notification.ts'
import { completeLink } from './use-cases/complete-link.ts'
import { exchangePoints } from './use-cases/exchange-points.ts'
import { exportHistory, historyFileRows, reconcileHistoryFile, uploadPayPayHistory } from './use-cases/history-files.ts'
import { linkStatus, unlink } from './use-cases/manage-link.ts'
import { grantPoints, viewPoints } from './use-cases/points.ts'
import { startLink } from './use-cases/start-link.ts'
import { startReversal } from './use-cases/start-reversal.ts'

// ---- schemas -----------------------------------------------------------------------------------

const Id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `a ${prefix}_ id`)
const UserId = z.string().trim().min(1).max(200)
const BusinessDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD (JST business day)')

export const ExchangeRequest = z.strictObject({
  points: z.number().int().min(MIN_EXCHANGE_POINTS).max(MAX_EXCHANGE_POINTS).describe('points to exchange (1 point = 1 JPY)'),
})

const PointsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), before: Id('ple').optional() })

export const GrantRequest = z.strictObject({
  user_id: UserId,
  points: z
    .number()
    .int()
    .min(-MAX_POINTS_PER_ENTRY)
    .max(MAX_POINTS_PER_ENTRY)
    .refine((n) => n !== 0, 'must not be 0'),
  kind: z.enum(['earn', 'adjustment']).default('adjustment'),
  reason: z.string().trim().min(1).max(500),
  idempotency_key: z
    .string()
    .regex(/^[\x21-\x7e]{1,150}$/)
    .optional()
    .describe('the grant’s key (or send an Idempotency-Key header): the same key never grants twice'),
})

const TokenBody = z.object({ responseToken: z.string().min(10).max(8192) })
const LinkQuery = z.object({ refresh: z.enum(['true', 'false']).default('false') })
const CashbackParam = z.object({ merchant_cashback_id: Id('pcb') })
const CashbackListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: Id('pcb').optional(),
  status: z.enum(CASHBACK_STATUSES).optional(),
})
const AdminCashbackListQuery = CashbackListQuery.extend({ user_id: UserId.optional() })
const UserParam = z.object({ user_id: UserId })

export const ReversalRequest = z.strictObject({
  amount: z.number().int().min(1).max(MAX_EXCHANGE_POINTS).optional().describe('JPY to take back; absent = all that is left'),
  reason: z.string().trim().min(1).max(255).optional(),
})

const FileParam = z.object({ file_id: Id('phf') })
const FilesQuery = z.object({
  source: z.enum(HISTORY_SOURCES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  offset: z.coerce.number().int().min(0).max(PG_INTEGER_MAX).default(0),
})
const RowsQuery = z.object({
  status: z.string().regex(/^[A-Za-z_]{1,20}$/).optional().describe('ACCEPTED, SUCCESS or FAILURE'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(PG_INTEGER_MAX).default(0),
})
const ReconcileQuery = RowsQuery.omit({ status: true }).extend({ only_problems: z.enum(['true', 'false']).default('false') })
export const UploadRequest = z.strictObject({ business_date: BusinessDate, content: z.string().min(1).max(900_000) })
const ExportRequest = z.strictObject({ business_date: BusinessDate.optional() })

// ---- views -------------------------------------------------------------------------------------

const iso = (d: Date | null) => d?.toISOString() ?? null

const EntryView = z.object({
  id: z.string(),
  kind: z.enum(LEDGER_KINDS),
  points: z.number().int().describe('signed: credits positive, debits negative'),
  balance_after: z.number().int(),
  reference_type: z.string().nullable(),
  reference_id: z.string().nullable(),
  reason: z.string().nullable(),
  created_at: z.string(),
})
const entryView = (e: LedgerEntry): z.infer<typeof EntryView> => ({
  id: e.id,
  kind: e.kind,
  points: e.points,
  balance_after: e.balanceAfter,
  reference_type: e.referenceType,
  reference_id: e.referenceId,
  reason: e.reason,
  created_at: e.at.toISOString(),
})
const PointsResponse = z.object({ balance: z.number().int(), entries: z.array(EntryView), next_before: z.string().nullable() })

const CashbackView = z.object({
  merchant_cashback_id: z.string(),
  user_id: z.string(),
  points: z.number().int(),
  amount: z.number().int().describe('JPY'),
  currency: z.literal('JPY'),
  status: z.enum(CASHBACK_STATUSES),
  failure_code: z.string().nullable(),
  reversed_amount: z.number().int(),
  requested_at: z.string(),
  accepted_at: z.string().nullable(),
  completed_at: z.string().nullable(),
})
const cashbackView = (c: Cashback): z.infer<typeof CashbackView> => ({
  merchant_cashback_id: c.merchantCashbackId,
  user_id: c.userId,
  points: c.points,
  amount: c.amount,
  currency: c.currency,
  status: c.status,
  failure_code: c.failureCode,
  reversed_amount: c.reversedAmount,
  requested_at: c.requestedAt.toISOString(),
  accepted_at: iso(c.acceptedAt),
  completed_at: iso(c.completedAt),
})
const AdminCashbackView = CashbackView.extend({
  give_attempts: z.number().int(),
  last_error: z.string().nullable(),
  reversal_reserved: z.number().int(),
  paypay_cashback_id: z.string().nullable(),
})
const adminCashbackView = (c: Cashback): z.infer<typeof AdminCashbackView> => ({
  ...cashbackView(c),
  give_attempts: c.giveAttempts,
  last_error: c.lastError,
  reversal_reserved: c.reversalReserved,
  paypay_cashback_id: c.paypayCashbackId,
})

const ReversalView = z.object({
  merchant_cashback_reversal_id: z.string(),
  merchant_cashback_id: z.string(),
  user_id: z.string(),
  amount: z.number().int(),
  reversed_amount: z.number().int().nullable(),
  status: z.enum(REVERSAL_STATUSES),
  reason: z.string().nullable(),
  failure_code: z.string().nullable(),
  last_error: z.string().nullable(),
  requested_by: z.string(),
  requested_at: z.string(),
  accepted_at: z.string().nullable(),
  completed_at: z.string().nullable(),
})
const reversalView = (r: Reversal): z.infer<typeof ReversalView> => ({
  merchant_cashback_reversal_id: r.merchantCashbackReversalId,
  merchant_cashback_id: r.merchantCashbackId,
  user_id: r.userId,
  amount: r.amount,
  reversed_amount: r.reversedAmount,
  status: r.status,
  reason: r.reason,
  failure_code: r.failureCode,
  last_error: r.lastError,
  requested_by: r.requestedBy,
  requested_at: r.requestedAt.toISOString(),
  accepted_at: iso(r.acceptedAt),
  completed_at: iso(r.completedAt),
})

const LinkView = z.object({
  status: z.enum(['none', 'linked', 'unlinked', 'expired', 'revoked']),
  profile_identifier: z.string().nullable(),
  expires_at: z.string().nullable(),
  linked_at: z.string().nullable(),
})
const linkView = (link: PayPayLink | null, now: Date): z.infer<typeof LinkView> => ({
  status: link ? effectiveLinkStatus(link, now) : 'none',
  profile_identifier: link?.profileIdentifier ?? null,
  expires_at: iso(link?.expiresAt ?? null),
  linked_at: iso(link?.linkedAt ?? null),
})

const FileView = z.object({
  file_id: z.string(),
  source: z.enum(HISTORY_SOURCES),
  business_date: z.string(),
  object_key: z.string(),
  row_count: z.number().int(),
  sha256: z.string(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
})
const fileView = (f: HistoryFile): z.infer<typeof FileView> => ({
  file_id: f.id,
  source: f.source,
  business_date: f.businessDate,
  object_key: f.objectKey,
  row_count: f.rowCount,
  sha256: f.sha256,
  created_by: f.createdBy,
  created_at: f.createdAt.toISOString(),
  updated_at: f.updatedAt.toISOString(),
})
const RowView = z.object({
  transaction_type: z.enum(['cashback', 'reversal']),
  merchant_cashback_id: z.string(),
  merchant_cashback_reversal_id: z.string().nullable(),
  user_id: z.string().nullable(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.string(),
  requested_at: z.string().nullable(),
  completed_at: z.string().nullable(),
})
const rowView = (r: HistoryRow): z.infer<typeof RowView> => ({
  transaction_type: r.transactionType,
  merchant_cashback_id: r.merchantCashbackId,
  merchant_cashback_reversal_id: r.merchantCashbackReversalId,
  user_id: r.userId,
  amount: r.amount,
  currency: r.currency,
  status: r.status,
  requested_at: r.requestedAt,
  completed_at: r.completedAt,
})
const MatchView = z.object({
  key: z.string(),
  transaction_type: z.enum(['cashback', 'reversal']),
  merchant_cashback_id: z.string(),
  merchant_cashback_reversal_id: z.string().nullable(),
  ours: RowView.nullable(),
  paypay: RowView.nullable(),
  problems: z.array(z.enum(['missing_in_ours', 'missing_in_paypay', 'amount_mismatch', 'status_mismatch'])),
})
const matchView = (m: MatchedRow): z.infer<typeof MatchView> => ({
  key: m.key,
  transaction_type: m.transactionType,
  merchant_cashback_id: m.merchantCashbackId,
  merchant_cashback_reversal_id: m.merchantCashbackReversalId,
  ours: m.ours ? rowView(m.ours) : null,
  paypay: m.paypay ? rowView(m.paypay) : null,
  problems: [...m.problems],
})

// ---- mapping -----------------------------------------------------------------------------------

const STATUS: Record<LoyaltyErrorCode, ContentfulStatusCode> = {
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

const actor = (c: Context<AppEnv>) => `user:${c.var.principal!.userId}`

/** The responseToken from the query (browser redirect), a JSON body or a form post. */
async function responseTokenOf(c: Context<AppEnv>): Promise<string> {
  let candidate: unknown = c.req.query('responseToken')
  if (candidate === undefined && c.req.method !== 'GET') {
    const type = c.req.header('content-type') ?? ''
    if (type.includes('application/json')) {
      // Any JSON value may arrive (null, a number, an array): only an object can carry the token.
      const body: unknown = await c.req.json().catch(() => null)
      candidate = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)['responseToken'] : undefined
    } else if (type.includes('form')) candidate = ((await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>)['responseToken']
  }
  const parsed = TokenBody.safeParse({ responseToken: candidate })
  if (!parsed.success) throw new HttpError(400, 'VALIDATION_FAILED', 'responseToken is required', [{ path: 'responseToken', message: 'required' }])
  return parsed.data.responseToken
}

async function exchange(c: Context<AppEnv>, points: number) {
  const result = await exchangePoints(c.var.deps.loyalty, {
    userId: c.var.principal!.userId,
    points,
    requestKey: c.req.header('idempotency-key') ?? null,
    requestId: c.var.requestId,
  })
  if (!result.ok) {
    c.var.logger.info('points exchange refused', { code: result.error.code })
    return domainErrorResponse(c, result.error, STATUS)
  }
  return c.json({ cashback: cashbackView(result.value.cashback), replayed: result.value.replayed }, result.value.replayed ? 200 : 201)
}

// ---- routes ------------------------------------------------------------------------------------

/** Mounted under /api/v1: balance and history, the PayPay link, the cashback callback, my cashbacks. */
export const loyaltyRoutes = new Hono<AppEnv>()
  .get('/points', requireUser, validate('query', PointsQuery), async (c) => {
    const q = c.req.valid('query')
    const view = await viewPoints(c.var.deps.loyalty, c.var.principal!.userId, { limit: q.limit, ...(q.before && { before: q.before as LedgerEntryId }) })
    return c.json({ balance: view.balance, entries: view.entries.map(entryView), next_before: view.nextBefore })
  })
  .post('/paypay/sessions', requireUser, async (c) => {
    const result = await startLink(c.var.deps.loyalty, { userId: c.var.principal!.userId })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    const s = result.value
    return c.json({ session_id: s.id, link_url: s.linkUrl, expires_at: s.expiresAt.toISOString() }, 201)
  })
  .get('/paypay/sessions', requireUser, validate('query', LinkQuery), async (c) => {
    const result = await linkStatus(c.var.deps.loyalty, { userId: c.var.principal!.userId, refresh: c.req.valid('query').refresh === 'true' })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ link: linkView(result.value.link, c.var.deps.clock.now()) })
  })
  .delete('/paypay/sessions', requireUser, async (c) => {
    const result = await unlink(c.var.deps.loyalty, { userId: c.var.principal!.userId, requestId: c.var.requestId })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ link: linkView(result.value, c.var.deps.clock.now()) })
  })
  .put('/paypay/update_session', requireUser, async (c) => {
    const token = await responseTokenOf(c)
    const result = await completeLink(c.var.deps.loyalty, { responseToken: token, userId: c.var.principal!.userId, requestId: c.var.requestId })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ link: linkView(result.value, c.var.deps.clock.now()) })
  })
  .on(['GET', 'POST'], '/paypay/sessions/callback', async (c) => {
    // PayPay's redirect after consent: the token (nonce + session) proves who it is for.
    const token = await responseTokenOf(c)
    const result = await completeLink(c.var.deps.loyalty, { responseToken: token, userId: null, requestId: c.var.requestId })
    const back = c.var.deps.config.PAYPAY_LINK_RETURN_URL
    if (c.req.method === 'GET' && back) {
      const url = new URL(back)
      url.searchParams.set('paypay_link', result.ok ? 'linked' : 'failed')
      if (!result.ok) url.searchParams.set('code', result.error.code)
      return c.redirect(url.toString(), 303)
    }
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ link: linkView(result.value, c.var.deps.clock.now()) })
  })
  .post('/paypay/cashback/callback', async (c) => {
    const out = await handleCashbackNotification(c.var.deps.loyalty, await c.req.text(), { requestId: c.var.requestId })
    c.var.logger.info('paypay cashback notification', { outcome: out.kind, ...('reason' in out && { reason: out.reason }) })
    if (out.kind === 'retry') return errorResponse(c, 503, 'PAYPAY_UNAVAILABLE', 'Could not confirm the status with PayPay; send again later')
    return c.json({ received: true, applied: out.kind === 'applied', ...('status' in out && { status: out.status }) })
  })
  .get('/paypay/cashbacks', requireUser, validate('query', CashbackListQuery), async (c) => {
    const q = c.req.valid('query')
    const list = await c.var.deps.loyalty.cashbacks.list({
      userId: c.var.principal!.userId,
      limit: q.limit,
      ...(q.status && { status: q.status }),
      ...(q.before && { before: q.before as MerchantCashbackId }),
    })
    const last = list.at(-1)
    return c.json({ cashbacks: list.map(cashbackView), next_before: list.length === q.limit && last ? last.merchantCashbackId : null })
  })
  .get('/paypay/cashbacks/:merchant_cashback_id', requireUser, validate('param', CashbackParam), async (c) => {
    const found = await c.var.deps.loyalty.cashbacks.findForUser(c.req.valid('param').merchant_cashback_id as MerchantCashbackId, c.var.principal!.userId)
    if (!found) throw new HttpError(404, 'CASHBACK_NOT_FOUND', 'Cashback not found')
    return c.json({ cashback: cashbackView(found) })
  })

/** Mounted at the root: the exchange page's own paths (seed 000). */
export const mypageRoutes = new Hono<AppEnv>()
  .use('/mypage/*', requireUser)
  .get('/mypage/points_exchange', async (c) => {
    const deps = c.var.deps.loyalty
    const userId = c.var.principal!.userId
    const { balance, link } = await deps.ledger.balanceAndLink(userId)
    const view = linkView(link, deps.clock.now())
    return c.json({
      balance,
      paypay_configured: deps.paypay !== null,
      link: view,
      can_exchange: deps.paypay !== null && view.status === 'linked' && balance >= MIN_EXCHANGE_POINTS,
      min_points: MIN_EXCHANGE_POINTS,
      max_points: Math.min(MAX_EXCHANGE_POINTS, balance),
    })
  })
  .post('/mypage/points_exchange', idempotency(), validate('json', ExchangeRequest), (c) => exchange(c, c.req.valid('json').points))
  .post('/mypage/point_input', idempotency(), validate('json', ExchangeRequest), (c) => exchange(c, c.req.valid('json').points))

/** Mounted under /api/admin. */
export const loyaltyAdminRoutes = new Hono<AppEnv>()
  .use('/loyalty/*', requireAdmin)
  .post('/loyalty/points', idempotency(), validate('json', GrantRequest), async (c) => {
    const b = c.req.valid('json')
    const key = b.idempotency_key ?? c.req.header('idempotency-key')
    if (!key) throw new HttpError(400, 'IDEMPOTENCY_KEY_REQUIRED', 'Send idempotency_key (or an Idempotency-Key header): a retried grant must not grant twice')
    const result = await grantPoints(c.var.deps.loyalty, {
      userId: b.user_id,
      points: b.points,
      kind: b.kind,
      reason: b.reason,
      key,
      actor: actor(c),
      requestId: c.var.requestId,
    })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    const { entry, balance, replayed } = result.value
    return c.json({ entry: entryView(entry), balance, replayed }, replayed ? 200 : 201)
  })
  .get('/loyalty/users/:user_id/points', validate('param', UserParam), validate('query', PointsQuery), async (c) => {
    const q = c.req.valid('query')
    const view = await viewPoints(c.var.deps.loyalty, c.req.valid('param').user_id, { limit: q.limit, ...(q.before && { before: q.before as LedgerEntryId }) })
    return c.json({ balance: view.balance, entries: view.entries.map(entryView), next_before: view.nextBefore })
  })
  .get('/loyalty/cashbacks', validate('query', AdminCashbackListQuery), async (c) => {
    const q = c.req.valid('query')
    const list = await c.var.deps.loyalty.cashbacks.list({
      limit: q.limit,
      ...(q.user_id && { userId: q.user_id }),
      ...(q.status && { status: q.status }),
      ...(q.before && { before: q.before as MerchantCashbackId }),
    })
    const last = list.at(-1)
    return c.json({ cashbacks: list.map(adminCashbackView), next_before: list.length === q.limit && last ? last.merchantCashbackId : null })
  })
  .get('/loyalty/cashbacks/:merchant_cashback_id', validate('param', CashbackParam), async (c) => {
    const id = c.req.valid('param').merchant_cashback_id as MerchantCashbackId
    const found = await c.var.deps.loyalty.cashbacks.findWithReversals(id)
    if (!found) throw new HttpError(404, 'CASHBACK_NOT_FOUND', 'Cashback not found')
    return c.json({ cashback: adminCashbackView(found.cashback), reversals: found.reversals.map(reversalView) })
  })
  .post('/loyalty/cashbacks/:merchant_cashback_id/reversals', idempotency(), validate('param', CashbackParam), validate('json', ReversalRequest), async (c) => {
    const b = c.req.valid('json')
    const result = await startReversal(c.var.deps.loyalty, {
      merchantCashbackId: c.req.valid('param').merchant_cashback_id as MerchantCashbackId,
      amount: b.amount ?? null,
      reason: b.reason ?? null,
      requestKey: c.req.header('idempotency-key') ?? null,
      actor: actor(c),
      requestId: c.var.requestId,
    })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ reversal: reversalView(result.value.reversal), replayed: result.value.replayed }, result.value.replayed ? 200 : 202)
  })
  .get('/loyalty/history-files', validate('query', FilesQuery), async (c) => {
    const q = c.req.valid('query')
    const { files, total } = await c.var.deps.loyalty.history.listFiles({ limit: q.limit, offset: q.offset, ...(q.source && { source: q.source }) })
    return c.json({ files: files.map(fileView), total })
  })
  .post('/loyalty/history-files', validate('json', UploadRequest), async (c) => {
    const b = c.req.valid('json')
    const result = await uploadPayPayHistory(c.var.deps.loyalty, { businessDate: b.business_date, content: b.content, actor: actor(c) })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ file: fileView(result.value) }, 201)
  })
  .post('/loyalty/history-files/export', validate('json', ExportRequest), async (c) => {
    const b = c.req.valid('json')
    const result = await exportHistory(c.var.deps.loyalty, { ...(b.business_date && { businessDate: b.business_date }), actor: actor(c) })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ file: fileView(result.value) })
  })
  .get('/loyalty/history-files/:file_id/rows', validate('param', FileParam), validate('query', RowsQuery), async (c) => {
    const q = c.req.valid('query')
    const result = await historyFileRows(c.var.deps.loyalty, { fileId: c.req.valid('param').file_id, limit: q.limit, offset: q.offset, ...(q.status && { status: q.status }) })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ file: fileView(result.value.file), rows: result.value.rows.items.map(rowView), total: result.value.rows.total })
  })
  .get('/loyalty/history-files/:file_id/reconciliation', validate('param', FileParam), validate('query', ReconcileQuery), async (c) => {
    const q = c.req.valid('query')
    const result = await reconcileHistoryFile(c.var.deps.loyalty, {
      fileId: c.req.valid('param').file_id,
      onlyProblems: q.only_problems === 'true',
      limit: q.limit,
      offset: q.offset,
    })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    const r = result.value
    return c.json({ file: fileView(r.file), rows: r.rows.items.map(matchView), total: r.rows.total, problems: r.problems })
  })
  .get('/loyalty/history-files/:file_id/content', validate('param', FileParam), async (c) => {
    const file = await c.var.deps.loyalty.history.findFile(c.req.valid('param').file_id)
    const obj = file ? await c.var.deps.loyalty.files.get(file.objectKey) : null
    if (!file || !obj) throw new HttpError(404, 'HISTORY_FILE_NOT_FOUND', 'History file not found')
    return c.body(obj.body, 200, { 'content-type': obj.contentType, 'content-disposition': `attachment; filename="${file.source}-${file.businessDate}.csv"` })
  })

// ---- docs --------------------------------------------------------------------------------------

const ExchangeResponse = z.object({ cashback: CashbackView, replayed: z.boolean() })
const LinkResponse = z.object({ link: LinkView })
const FileResponse = z.object({ file: FileView })

export const loyaltyDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/points',
    summary: 'My points balance and ledger, newest first (cursor: next_before)',
    tag: 'loyalty',
    auth: 'user',
    query: PointsQuery,
    responses: { 200: { description: 'Balance and entries', schema: PointsResponse }, ...errors(400, 401) },
  },
  {
    method: 'post',
    path: '/api/v1/paypay/sessions',
    summary: 'Start linking PayPay (seed 000): an account-link session (scope cashback) with a nonce kept for me; open link_url',
    tag: 'loyalty',
    auth: 'user',
    responses: {
      201: { description: 'Open link_url', schema: z.object({ session_id: z.string(), link_url: z.string(), expires_at: z.string() }) },
      ...errors(401, 503),
      502: { description: 'PayPay refused' },
    },
  },
  {
    method: 'get',
    path: '/api/v1/paypay/sessions',
    summary: 'My PayPay link (refresh=true asks PayPay for the authorization status)',
    tag: 'loyalty',
    auth: 'user',
    query: LinkQuery,
    responses: { 200: { description: 'The link', schema: LinkResponse }, ...errors(401, 503) },
  },
  {
    method: 'delete',
    path: '/api/v1/paypay/sessions',
    summary: 'Unlink PayPay (PayPay Unlink user, then recorded)',
    tag: 'loyalty',
    auth: 'user',
    responses: { 200: { description: 'Unlinked', schema: LinkResponse }, ...errors(401, 409, 503) },
  },
  {
    method: 'put',
    path: '/api/v1/paypay/update_session',
    summary: 'Finish linking with PayPay’s responseToken (HS256 with the decoded API secret, result succeeded, my nonce)',
    tag: 'loyalty',
    auth: 'user',
    body: TokenBody,
    responses: { 200: { description: 'Linked', schema: LinkResponse }, ...errors(400, 401, 404, 503), 410: { description: 'Session expired' } },
  },
  ...(['get', 'post'] as const).map(
    (method): RouteDoc => ({
      method,
      path: '/api/v1/paypay/sessions/callback',
      summary: 'PayPay’s return after consent (responseToken in the query, a JSON body or a form); GET redirects to PAYPAY_LINK_RETURN_URL when set',
      tag: 'loyalty',
      auth: 'signature',
      ...(method === 'post' && { body: TokenBody }),
      responses: { 200: { description: 'Linked', schema: LinkResponse }, 303: { description: 'Back to the front end' }, ...errors(400, 404, 503) },
    }),
  ),
  {
    method: 'post',
    path: '/api/v1/paypay/cashback/callback',
    summary: 'PayPay cashback notification: the body only names the cashback; its status is re-read from Check Cashback Details',
    tag: 'loyalty',
    auth: 'none',
    responses: {
      200: { description: 'Received', schema: z.object({ received: z.literal(true), applied: z.boolean(), status: z.string().optional() }) },
      ...errors(503),
    },
  },
  {
    method: 'get',
    path: '/api/v1/paypay/cashbacks',
    summary: 'My cashbacks, newest first',
    tag: 'loyalty',
    auth: 'user',
    query: CashbackListQuery,
    responses: { 200: { description: 'A page', schema: z.object({ cashbacks: z.array(CashbackView), next_before: z.string().nullable() }) }, ...errors(400, 401) },
  },
  {
    method: 'get',
    path: '/api/v1/paypay/cashbacks/:merchant_cashback_id',
    summary: 'One of my cashbacks (404 for anyone else)',
    tag: 'loyalty',
    auth: 'user',
    params: CashbackParam,
    responses: { 200: { description: 'The cashback', schema: z.object({ cashback: CashbackView }) }, ...errors(400, 401, 404) },
  },
  {
    method: 'get',
    path: '/mypage/points_exchange',
    summary: 'The exchange page: balance, PayPay link, whether an exchange is possible',
    tag: 'loyalty',
    auth: 'user',
    responses: { 200: { description: 'Page state' }, ...errors(401) },
  },
  ...['/mypage/points_exchange', '/mypage/point_input'].map(
    (path): RouteDoc => ({
      method: 'post',
      path,
      summary: 'Exchange points for PayPay cashback: debit, ledger entry and cashback record in one statement, then the Give job (same merchantCashbackId on every retry)',
      tag: 'loyalty',
      auth: 'user',
      idempotent: true,
      body: ExchangeRequest,
      responses: {
        201: { description: 'Requested (status requested; PayPay grants asynchronously)', schema: ExchangeResponse },
        200: { description: 'Replay of an earlier exchange with this Idempotency-Key', schema: ExchangeResponse },
        ...errors(400, 401, 409, 422, 503),
      },
    }),
  ),
  {
    method: 'post',
    path: '/api/admin/loyalty/points',
    summary: 'Grant (or correct) points: one ledger entry per idempotency key',
    tag: 'loyalty admin',
    auth: 'admin',
    idempotent: true,
    body: GrantRequest,
    responses: { 201: { description: 'Granted' }, 200: { description: 'Already granted with this key' }, ...errors(400, 401, 403, 409, 422) },
  },
  {
    method: 'get',
    path: '/api/admin/loyalty/users/:user_id/points',
    summary: 'A user’s balance and ledger',
    tag: 'loyalty admin',
    auth: 'admin',
    params: UserParam,
    query: PointsQuery,
    responses: { 200: { description: 'Balance and entries', schema: PointsResponse }, ...errors(400, 401, 403) },
  },
  {
    method: 'get',
    path: '/api/admin/loyalty/cashbacks',
    summary: 'Cashbacks (filter by user and status), newest first',
    tag: 'loyalty admin',
    auth: 'admin',
    query: AdminCashbackListQuery,
    responses: { 200: { description: 'A page' }, ...errors(400, 401, 403) },
  },
  {
    method: 'get',
    path: '/api/admin/loyalty/cashbacks/:merchant_cashback_id',
    summary: 'A cashback and its reversals',
    tag: 'loyalty admin',
    auth: 'admin',
    params: CashbackParam,
    responses: { 200: { description: 'The cashback' }, ...errors(400, 401, 403, 404) },
  },
  {
    method: 'post',
    path: '/api/admin/loyalty/cashbacks/:merchant_cashback_id/reversals',
    summary: 'Reverse a granted cashback, fully or partly (merchantCashbackReversalId); points return on SUCCESS',
    tag: 'loyalty admin',
    auth: 'admin',
    idempotent: true,
    params: CashbackParam,
    body: ReversalRequest,
    responses: { 202: { description: 'Reversal requested', schema: z.object({ reversal: ReversalView, replayed: z.boolean() }) }, ...errors(400, 401, 403, 404, 409, 422, 503) },
  },
  {
    method: 'get',
    path: '/api/admin/loyalty/history-files',
    summary: 'Transaction-history files (ours from the daily export, PayPay’s uploaded)',
    tag: 'loyalty admin',
    auth: 'admin',
    query: FilesQuery,
    responses: { 200: { description: 'Files', schema: z.object({ files: z.array(FileView), total: z.number().int() }) }, ...errors(400, 401, 403) },
  },
  {
    method: 'post',
    path: '/api/admin/loyalty/history-files',
    summary: 'Upload PayPay’s transaction file for a JST day (CSV with merchant_cashback_id, amount, status)',
    tag: 'loyalty admin',
    auth: 'admin',
    body: UploadRequest,
    responses: { 201: { description: 'Stored', schema: FileResponse }, ...errors(400, 401, 403) },
  },
  {
    method: 'post',
    path: '/api/admin/loyalty/history-files/export',
    summary: 'Run the daily export now (default: yesterday JST); re-running a date replaces its file',
    tag: 'loyalty admin',
    auth: 'admin',
    body: ExportRequest,
    responses: { 200: { description: 'Exported', schema: FileResponse }, ...errors(400, 401, 403) },
  },
  {
    method: 'get',
    path: '/api/admin/loyalty/history-files/:file_id/rows',
    summary: 'A file’s rows, filterable by status, paginated',
    tag: 'loyalty admin',
    auth: 'admin',
    params: FileParam,
    query: RowsQuery,
    responses: { 200: { description: 'Rows', schema: z.object({ file: FileView, rows: z.array(RowView), total: z.number().int() }) }, ...errors(400, 401, 403, 404) },
  },
  {
    method: 'get',
    path: '/api/admin/loyalty/history-files/:file_id/reconciliation',
    summary: 'PayPay’s file matched against our records: missing on either side, amount or status mismatches',
    tag: 'loyalty admin',
    auth: 'admin',
    params: FileParam,
    query: ReconcileQuery,
    responses: {
      200: { description: 'Matched rows', schema: z.object({ file: FileView, rows: z.array(MatchView), total: z.number().int(), problems: z.number().int() }) },
      ...errors(400, 401, 403, 404),
    },
  },
  {
    method: 'get',
    path: '/api/admin/loyalty/history-files/:file_id/content',
    summary: 'Download the CSV',
    tag: 'loyalty admin',
    auth: 'admin',
    params: FileParam,
    responses: { 200: { description: 'text/csv' }, ...errors(401, 403, 404) },
  },
]
