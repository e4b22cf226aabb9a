import { z } from 'zod'
import { currencyCode, instant, minorUnits, text } from '../../platform/http/schemas.ts'
import { GIFT_STATUS_CODE, type Gift } from '../domain/gift.ts'

/** The gift routes' request and response schemas (they validate, type the handlers and make the document) and views. */

const supplierCode = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/)

// ---- redemption and lookup (shop devices) ------------------------------------------------------

export const GiftUseRequest = z.strictObject({
  gift_id: text(64),
  supplier_invoice_no: text(64),
  pin: z.string().min(1).max(64),
})

export const GiftView = z.object({
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

export const GiftUseResponse = z.object({
  success: z.literal(true),
  message: z.string(),
  gift: GiftView,
  supplier: z.object({ supplier_code: z.string(), supplier_name: z.string() }),
})

export const GiftIdParam = z.object({ gift_id: text(64) })

// ---- bulk issue (admin) ------------------------------------------------------------------------

export const IssueGiftsRequest = z
  .strictObject({
    count: z.number().int().min(1).max(1000).optional(),
    gift_ids: z
      .array(z.string().regex(/^[A-Za-z0-9_-]{4,64}$/))
      .min(1)
      .max(1000)
      .optional(),
    prefix: z
      .string()
      .regex(/^[A-Z0-9-]{0,12}$/)
      .default(''),
    amount: minorUnits.max(1_000_000_000),
    currency: currencyCode,
    valid_from: instant.optional(),
    valid_until: instant.optional(),
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

export const IssueGiftsResponse = z.object({ gifts: z.array(GiftView) })

// ---- suppliers and their shop accounts (admin) -------------------------------------------------

export const CreateSupplierRequest = z.strictObject({
  supplier_code: supplierCode,
  supplier_name: text(200),
  supplier_invoice_no: text(64),
})

export const SupplierView = z.object({ supplier_code: z.string(), supplier_name: z.string(), supplier_invoice_no: z.string() })

export const SupplierCodeParam = z.object({ supplier_code: supplierCode })

export const CreateSupplierAccountRequest = z.strictObject({
  supplier_account_invoice_no: text(64),
  supplier_account_name: text(200),
  pin: z.string().regex(/^\d{4,12}$/, '4 to 12 digits'),
})

export const SupplierAccountView = z.object({
  supplier_account_id: z.string(),
  supplier_account_invoice_no: z.string(),
  supplier_code: z.string(),
  supplier_account_name: z.string(),
})

// ---- views -------------------------------------------------------------------------------------

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
