import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { ErrorEnvelope, errorResponses, guard, json, jsonBody, routesOf } from '../../platform/http/route-kit.ts'
import type { SupplierCode } from '../domain/supplier.ts'
import { createSupplier, createSupplierAccount } from '../use-cases/register-supplier.ts'
import { configuredPins, refuseGift } from './refusals.ts'
import { CreateSupplierAccountRequest, CreateSupplierRequest, SupplierAccountView, SupplierCodeParam, SupplierView } from './schemas.ts'

/** Suppliers and their shop accounts (the operator's side, mounted under /api/admin). */

const newSupplier = createRoute({
  method: 'post',
  path: '/suppliers',
  summary: 'Create a supplier',
  tags: ['gifts admin'],
  ...guard('admin'),
  request: { body: jsonBody(CreateSupplierRequest) },
  responses: {
    201: json(z.object({ supplier: SupplierView }), 'Created'),
    ...errorResponses(400, 401, 403),
    409: json(ErrorEnvelope, 'SUPPLIER_EXISTS (a supplier with this code or invoice number)'),
  },
})

const newAccount = createRoute({
  method: 'post',
  path: '/suppliers/{supplier_code}/accounts',
  summary: 'Create a supplier shop account with a PIN (stored only as an HMAC keyed with the secret GIFT_PIN_PEPPER)',
  tags: ['gifts admin'],
  ...guard('admin'),
  request: { params: SupplierCodeParam, body: jsonBody(CreateSupplierAccountRequest) },
  responses: {
    201: json(z.object({ account: SupplierAccountView }), 'Created'),
    ...errorResponses(400, 401, 403),
    404: json(ErrorEnvelope, 'SUPPLIER_NOT_FOUND'),
    409: json(ErrorEnvelope, 'SUPPLIER_ACCOUNT_EXISTS (an account with this invoice number)'),
    503: json(ErrorEnvelope, 'GIFT_PIN_PEPPER_MISSING: GIFT_PIN_PEPPER is not configured; nothing stored'),
  },
})

export const supplierRoutes = routesOf()
  .openapi(newSupplier, async (c) => {
    const b = c.req.valid('json')
    const result = await createSupplier(c.var.deps.gifts, {
      supplierCode: b.supplier_code as SupplierCode,
      supplierName: b.supplier_name,
      supplierInvoiceNo: b.supplier_invoice_no,
      actor: `user:${c.var.principal.userId}`,
      requestId: c.var.requestId,
    })
    if (!result.ok) refuseGift(result.error)
    return c.json({ supplier: b }, 201)
  })
  .openapi(newAccount, async (c) => {
    const b = c.req.valid('json')
    const deps = c.var.deps.gifts
    const result = await createSupplierAccount(
      { ...deps, pins: configuredPins(deps.pins) },
      {
        supplierCode: c.req.valid('param').supplier_code as SupplierCode,
        supplierAccountInvoiceNo: b.supplier_account_invoice_no,
        supplierAccountName: b.supplier_account_name,
        pin: b.pin,
        actor: `user:${c.var.principal.userId}`,
        requestId: c.var.requestId,
      },
    )
    if (!result.ok) refuseGift(result.error)
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
  })
