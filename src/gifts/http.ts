import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import type { AppEnv } from '../platform/http/app-env.ts'
import { optionalUser, requireAdmin, requireUser } from '../platform/http/auth-middleware.ts'
import { domainErrorResponse, HttpError } from '../platform/http/errors.ts'
import { idempotency } from '../platform/http/idempotency.ts'
import { errors, type RouteDoc } from '../platform/http/openapi.ts'
import { validate } from '../platform/http/validation.ts'
import type { GiftErrorCode } from './domain/errors.ts'
import type { Gift, GiftId } from './domain/gift.ts'
import { GIFT_STATUS_CODE } from './domain/gift.ts'
import type { SupplierCode } from './domain/supplier.ts'
import { issueGifts } from './use-cases/issue-gifts.ts'
import { redeemGift } from './use-cases/redeem-gift.ts'
import { createSupplier, createSupplierAccount } from './use-cases/register-supplier.ts'

// ---- schemas: they validate requests, type handlers and generate the OpenAPI document ----------

const code = (max: number) => z.string().trim().min(1).max(max)
const currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code in upper case')
const isoInstant = z.iso.datetime({ offset: true })

export const GiftUseRequest = z.strictObject({
  gift_id: code(64),
  supplier_invoice_no: code(64),
  pin: z.string().min(1).max(64),
})

const GiftView = z.object({
  gift_id: z.string(),
  gift_status: z.union([z.literal(0), z.literal(1)]).describe('0 = unused, 1 = used'),
  gift_amount: z.number().int().describe('minor units of gift_currency'),
  gift_currency: z.string(),
  gift_valid_from: z.string().nullable(),
  gift_valid_until: z.string().nullable(),
  gift_used_datetime: z.string().nullable(),
  used_supplier_code: z.string().nullable(),
  used_invoice_no: z.string().nullable(),
})

const GiftUseResponse = z.object({
  success: z.literal(true),
  message: z.string(),
  gift: GiftView,
  supplier: z.object({ supplier_code: z.string(), supplier_name: z.string() }),
})

const GiftIdParam = z.object({ gift_id: code(64) })

export const IssueGiftsRequest = z
  .strictObject({
    count: z.number().int().min(1).max(1000).optional(),
    gift_ids: z.array(z.string().regex(/^[A-Za-z0-9_-]{4,64}$/)).min(1).max(1000).optional(),
    prefix: z.string().regex(/^[A-Z0-9-]{0,12}$/).default(''),
    amount: z.number().int().min(0).max(1_000_000_000),
    currency,
    valid_from: isoInstant.optional(),
    valid_until: isoInstant.optional(),
  })
  .refine((b) => (b.count === undefined) !== (b.gift_ids === undefined), {
    message: 'give exactly one of count or gift_ids',
    path: ['count'],
  })
  .refine((b) => new Set(b.gift_ids ?? []).size === (b.gift_ids ?? []).length, {
    message: 'gift_ids must be unique',
    path: ['gift_ids'],
  })
  .refine((b) => !b.valid_from || !b.valid_until || Date.parse(b.valid_from) < Date.parse(b.valid_until), {
    message: 'valid_until must be after valid_from',
    path: ['valid_until'],
  })

const IssueGiftsResponse = z.object({ gifts: z.array(GiftView) })

export const CreateSupplierRequest = z.strictObject({
  supplier_code: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
  supplier_name: code(200),
  supplier_invoice_no: code(64),
})

const SupplierCodeParam = z.object({ supplier_code: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/) })

export const CreateSupplierAccountRequest = z.strictObject({
  supplier_account_invoice_no: code(64),
  supplier_account_name: code(200),
  pin: z.string().regex(/^\d{4,12}$/, '4 to 12 digits'),
})

const SupplierAccountView = z.object({
  supplier_account_id: z.string(),
  supplier_account_invoice_no: z.string(),
  supplier_code: z.string(),
  supplier_account_name: z.string(),
})

// ---- mapping -----------------------------------------------------------------------------------

/** Seed 002 answers every refused redemption with 400; each reason keeps its own code. */
const STATUS: Record<GiftErrorCode, ContentfulStatusCode> = {
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

const iso = (d: Date | null) => d?.toISOString() ?? null

export const giftView = (g: Gift): z.infer<typeof GiftView> => ({
  gift_id: g.giftId,
  gift_status: GIFT_STATUS_CODE[g.status],
  gift_amount: g.value.amount,
  gift_currency: g.value.currency,
  gift_valid_from: iso(g.validFrom),
  gift_valid_until: iso(g.validUntil),
  gift_used_datetime: iso(g.usedAt),
  used_supplier_code: g.usedSupplierCode,
  used_invoice_no: g.usedInvoiceNo,
})

// ---- routes ------------------------------------------------------------------------------------

/** Shop-device routes, mounted under both /api and /api/v1 (the devices already call /api). */
export const giftRoutes = new Hono<AppEnv>()
  .post('/gifts/use', optionalUser, idempotency(), validate('json', GiftUseRequest), async (c) => {
    const body = c.req.valid('json')
    const result = await redeemGift({ ...c.var.deps.gifts, defer: c.var.defer }, {
      giftId: body.gift_id as GiftId,
      supplierInvoiceNo: body.supplier_invoice_no,
      pin: body.pin,
      actor: c.var.principal ? `user:${c.var.principal.userId}` : null,
      requestId: c.var.requestId,
    })
    if (!result.ok) {
      const e = result.error
      c.var.logger.info('gift redemption refused', { gift_id: body.gift_id, code: e.code })
      const retryAfter: Record<string, string> =
        e.code === 'PIN_LOCKED' ? { 'retry-after': String(e.details?.['retry_after_seconds']) } : {}
      return domainErrorResponse(c, e, STATUS, retryAfter)
    }
    const { gift, supplier } = result.value
    c.var.logger.info('gift redeemed', { gift_id: gift.giftId, supplier_code: supplier.supplierCode })
    return c.json({
      success: true as const,
      message: 'Gift used successfully',
      gift: giftView(gift),
      supplier: { supplier_code: supplier.supplierCode, supplier_name: supplier.supplierName },
    })
  })
  .get('/gifts/:gift_id', requireUser, validate('param', GiftIdParam), async (c) => {
    const p = c.var.principal!
    if (!p.isAdmin && !p.roles.includes('shop')) throw new HttpError(403, 'FORBIDDEN', 'Requires the shop or admin role')
    const gift = await c.var.deps.gifts.gifts.findById(c.req.valid('param').gift_id as GiftId)
    if (!gift) throw new HttpError(404, 'GIFT_NOT_FOUND', 'Gift not found')
    return c.json({ gift: giftView(gift) })
  })

export const giftAdminRoutes = new Hono<AppEnv>()
  .use(requireAdmin)
  .post('/gifts', idempotency(), validate('json', IssueGiftsRequest), async (c) => {
    const b = c.req.valid('json')
    const result = await issueGifts(c.var.deps.gifts, {
      ...(b.gift_ids ? { giftIds: b.gift_ids } : { count: b.count! }),
      prefix: b.prefix,
      amount: b.amount,
      currency: b.currency,
      validFrom: b.valid_from ? new Date(b.valid_from) : null,
      validUntil: b.valid_until ? new Date(b.valid_until) : null,
      actor: `user:${c.var.principal!.userId}`,
      requestId: c.var.requestId,
    })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ gifts: result.value.map(giftView) }, 201)
  })
  .post('/suppliers', validate('json', CreateSupplierRequest), async (c) => {
    const b = c.req.valid('json')
    const result = await createSupplier(c.var.deps.gifts, {
      supplierCode: b.supplier_code as SupplierCode,
      supplierName: b.supplier_name,
      supplierInvoiceNo: b.supplier_invoice_no,
      actor: `user:${c.var.principal!.userId}`,
      requestId: c.var.requestId,
    })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ supplier: b }, 201)
  })
  .post(
    '/suppliers/:supplier_code/accounts',
    validate('param', SupplierCodeParam),
    validate('json', CreateSupplierAccountRequest),
    async (c) => {
      const b = c.req.valid('json')
      const result = await createSupplierAccount(c.var.deps.gifts, {
        supplierCode: c.req.valid('param').supplier_code as SupplierCode,
        supplierAccountInvoiceNo: b.supplier_account_invoice_no,
        supplierAccountName: b.supplier_account_name,
        pin: b.pin,
        actor: `user:${c.var.principal!.userId}`,
        requestId: c.var.requestId,
      })
      if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
      const a = result.value
      return c.json(
        {
          account: {
            supplier_account_id: a.supplierAccountId,
            supplier_account_invoice_no: a.supplierAccountInvoiceNo,
            supplier_code: a.supplierCode,
            supplier_account_name: a.supplierAccountName,
          },
        },
        201,
      )
    },
  )

export const giftDocs: RouteDoc[] = [
  ...['/api', '/api/v1'].map(
    (prefix): RouteDoc => ({
      method: 'post',
      path: `${prefix}/gifts/use`,
      summary: 'Redeem a gift at a shop (seed 002): gift, supplier invoice, PIN, mark used',
      tag: 'gifts',
      auth: 'optional',
      idempotent: true,
      body: GiftUseRequest,
      responses: { 200: { description: 'Gift used', schema: GiftUseResponse }, ...errors(400, 401, 429, 503) },
    }),
  ),
  ...['/api', '/api/v1'].map(
    (prefix): RouteDoc => ({
      method: 'get',
      path: `${prefix}/gifts/:gift_id`,
      summary: 'Check a gift (shop or admin role)',
      tag: 'gifts',
      auth: 'user',
      params: GiftIdParam,
      responses: { 200: { description: 'The gift', schema: z.object({ gift: GiftView }) }, ...errors(401, 403, 404) },
    }),
  ),
  {
    method: 'post',
    path: '/api/admin/gifts',
    summary: 'Issue gift codes in bulk (all or none)',
    tag: 'gifts admin',
    auth: 'admin',
    idempotent: true,
    body: IssueGiftsRequest,
    responses: { 201: { description: 'Issued', schema: IssueGiftsResponse }, ...errors(400, 401, 403, 409, 422) },
  },
  {
    method: 'post',
    path: '/api/admin/suppliers',
    summary: 'Create a supplier',
    tag: 'gifts admin',
    auth: 'admin',
    body: CreateSupplierRequest,
    responses: { 201: { description: 'Created' }, ...errors(400, 401, 403, 409) },
  },
  {
    method: 'post',
    path: '/api/admin/suppliers/:supplier_code/accounts',
    summary: 'Create a supplier shop account with a PIN (stored only as a salted hash)',
    tag: 'gifts admin',
    auth: 'admin',
    params: SupplierCodeParam,
    body: CreateSupplierAccountRequest,
    responses: {
      201: { description: 'Created', schema: z.object({ account: SupplierAccountView }) },
      ...errors(400, 401, 403, 404, 409),
    },
  },
]
