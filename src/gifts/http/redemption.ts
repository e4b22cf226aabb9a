import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { callerOf } from '../../platform/http/caller.ts'
import { HttpError } from '../../platform/http/errors.ts'
import { ErrorEnvelope, errorResponses, guard, json, jsonBody, routesOf } from '../../platform/http/route-kit.ts'
import type { GiftId } from '../domain/gift.ts'
import { redeemGift } from '../use-cases/redeem-gift.ts'
import { configuredPins, refuseGift } from './refusals.ts'
import { GiftIdParam, GiftUseRequest, GiftUseResponse, GiftView, giftView } from './schemas.ts'

/** The shop devices' routes (seed 002): redeem a gift, check one. Mounted under /api and /api/v1. */

const use = createRoute({
  method: 'post',
  path: '/gifts/use',
  summary: 'Redeem a gift at a shop (seed 002): gift, supplier invoice, PIN, mark used',
  tags: ['gifts'],
  // The token is optional: a device that sends one has its wrong PINs counted as its own.
  ...guard('optional', { idempotent: true }),
  request: { body: jsonBody(GiftUseRequest) },
  responses: {
    200: json(GiftUseResponse, 'Gift used'),
    400: json(
      ErrorEnvelope,
      'Refused (nothing changed): GIFT_NOT_FOUND, GIFT_ALREADY_USED, GIFT_EXPIRED, GIFT_NOT_YET_VALID, SUPPLIER_INVOICE_NOT_FOUND, INVALID_PIN; or VALIDATION_FAILED',
    ),
    ...errorResponses(401, 409, 422),
    429: json(
      ErrorEnvelope,
      'PIN_LOCKED, with Retry-After and details {retry_after_seconds, scope}: scope "caller" after 5 wrong PINs in 15 minutes from this device (token subject) or address (CF-Connecting-IP) for this supplier; scope "supplier" after 50 from all callers together',
    ),
    503: json(
      ErrorEnvelope,
      'DEPENDENCY_UNAVAILABLE (Redis or Postgres unreachable; nothing changed) or GIFT_PIN_PEPPER_MISSING (GIFT_PIN_PEPPER not configured)',
    ),
  },
})

const lookup = createRoute({
  method: 'get',
  path: '/gifts/{gift_id}',
  summary: 'Check a gift (shop or admin role)',
  tags: ['gifts'],
  ...guard('user'),
  request: { params: GiftIdParam },
  responses: {
    200: json(z.object({ gift: GiftView }), 'The gift'),
    ...errorResponses(400, 401),
    403: json(ErrorEnvelope, 'FORBIDDEN: neither the shop nor the admin role'),
    404: json(ErrorEnvelope, 'GIFT_NOT_FOUND'),
  },
})

export const redemptionRoutes = routesOf()
  .openapi(use, async (c) => {
    const body = c.req.valid('json')
    const deps = c.var.deps.gifts
    const result = await redeemGift(
      { ...deps, pins: configuredPins(deps.pins), defer: c.var.defer },
      {
        giftId: body.gift_id as GiftId,
        supplierInvoiceNo: body.supplier_invoice_no,
        pin: body.pin,
        actor: c.var.principal ? `user:${c.var.principal.userId}` : null,
        caller: callerOf(c),
        requestId: c.var.requestId,
      },
    )
    if (!result.ok) {
      c.var.logger.info('gift redemption refused', { gift_id: body.gift_id, code: result.error.code })
      refuseGift(result.error)
    }
    const { gift, supplier } = result.value
    c.var.logger.info('gift redeemed', { gift_id: gift.giftId, supplier_code: supplier.supplierCode })
    return c.json(
      {
        success: true as const,
        message: 'Gift used successfully',
        gift: giftView(gift),
        supplier: { supplier_code: supplier.supplierCode, supplier_name: supplier.supplierName },
      },
      200,
    )
  })
  .openapi(lookup, async (c) => {
    const p = c.var.principal
    if (!p.isAdmin && !p.roles.includes('shop')) throw new HttpError(403, 'FORBIDDEN', 'Requires the shop or admin role')
    const gift = await c.var.deps.gifts.gifts.findById(c.req.valid('param').gift_id as GiftId)
    if (!gift) throw new HttpError(404, 'GIFT_NOT_FOUND', 'Gift not found')
    return c.json({ gift: giftView(gift) }, 200)
  })
