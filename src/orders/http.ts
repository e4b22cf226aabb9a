import { createRoute } from '@hono/zod-openapi'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import type { VariantId } from '../catalog/domain/variant.ts'
import { MAX_LINE_QUANTITY } from '../catalog/domain/variant.ts'
import { HttpError } from '../platform/http/errors.ts'
import { errorResponses, guard, json, jsonBody, refuse, routesOf } from '../platform/http/route-kit.ts'
import { pageLimit, prefixedId } from '../platform/http/schemas.ts'
import type { OrderErrorCode } from './domain/errors.ts'
import { ORDER_STATUSES, type Order, type OrderId } from './domain/order.ts'
import { cancelOrder } from './use-cases/cancel-order.ts'
import { placeOrder } from './use-cases/place-order.ts'

const CreateOrderRequest = z.strictObject({
  items: z
    .array(z.strictObject({ variant_id: prefixedId('var'), quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY) }))
    .min(1)
    .max(50)
    .optional()
    .describe('lines to order; without it the cart is ordered'),
})

const OrderParam = z.object({ order_id: prefixedId('ord') })
const ListQuery = z.object({ limit: pageLimit, before: prefixedId('ord').optional() })

const OrderView = z.object({
  order_id: z.string(),
  status: z.enum(ORDER_STATUSES),
  total: z.number().int().describe('minor units of currency'),
  currency: z.string(),
  expires_at: z.string().describe('when the reservation lapses if unpaid (UTC)'),
  created_at: z.string(),
  lines: z.array(
    z.object({
      variant_id: z.string(),
      sku: z.string(),
      name: z.string(),
      unit_price: z.number().int(),
      quantity: z.number().int(),
      line_total: z.number().int(),
    }),
  ),
})

const orderView = (o: Order): z.infer<typeof OrderView> => ({
  order_id: o.id,
  status: o.status,
  total: o.total.amount,
  currency: o.total.currency,
  expires_at: o.expiresAt.toISOString(),
  created_at: o.createdAt.toISOString(),
  lines: o.lines.map((l) => ({
    variant_id: l.variantId,
    sku: l.sku,
    name: l.name,
    unit_price: l.unitPrice.amount,
    quantity: l.quantity,
    line_total: l.lineTotal.amount,
  })),
})

const STATUS: Record<OrderErrorCode, ContentfulStatusCode> = {
  ORDER_NOT_FOUND: 404,
  CART_EMPTY: 422,
  VARIANT_NOT_FOUND: 422,
  VARIANT_NOT_PURCHASABLE: 422,
  CURRENCY_MISMATCH: 422,
  OUT_OF_STOCK: 409,
  ORDER_NOT_CANCELLABLE: 409,
}

const CreateOrderResponse = z.object({
  order_id: z.string(),
  expires_at: z.string(),
  total: z.number().int(),
  currency: z.string(),
  order: OrderView,
})

const place = createRoute({
  method: 'post',
  path: '/orders',
  summary: 'Create an order from the cart or from explicit lines: reserves all stock for 15 minutes or none',
  tags: ['orders'],
  ...guard('user', { idempotent: true }),
  request: { body: jsonBody(CreateOrderRequest) },
  responses: { 201: json(CreateOrderResponse, 'Order awaiting payment'), ...errorResponses(400, 401, 409, 422, 503) },
})

const list = createRoute({
  method: 'get',
  path: '/orders',
  summary: 'My orders, newest first (cursor: next_before)',
  tags: ['orders'],
  ...guard('user'),
  request: { query: ListQuery },
  responses: {
    200: json(z.object({ orders: z.array(OrderView), next_before: z.string().nullable() }), 'A page of orders'),
    ...errorResponses(400, 401),
  },
})

const show = createRoute({
  method: 'get',
  path: '/orders/{order_id}',
  summary: 'One of my orders (404 for anyone else)',
  tags: ['orders'],
  ...guard('user'),
  request: { params: OrderParam },
  responses: { 200: json(z.object({ order: OrderView }), 'The order'), ...errorResponses(400, 401, 404) },
})

const cancel = createRoute({
  method: 'post',
  path: '/orders/{order_id}/cancel',
  summary: 'Cancel my unpaid order; its stock returns at once',
  tags: ['orders'],
  ...guard('user'),
  request: { params: OrderParam },
  responses: { 200: json(z.object({ order: OrderView }), 'Cancelled'), ...errorResponses(400, 401, 404, 409) },
})

export const orderRoutes = routesOf()
  .openapi(place, async (c) => {
    const b = c.req.valid('json')
    const result = await placeOrder(c.var.deps.orders, {
      userId: c.var.principal.userId,
      ...(b.items && { items: b.items.map((i) => ({ variantId: i.variant_id as VariantId, quantity: i.quantity })) }),
      requestId: c.var.requestId,
    })
    if (!result.ok) {
      c.var.logger.info('order refused', { code: result.error.code, details: result.error.details })
      refuse(result.error, STATUS)
    }
    const o = result.value
    return c.json(
      { order_id: o.id, expires_at: o.expiresAt.toISOString(), total: o.total.amount, currency: o.total.currency, order: orderView(o) },
      201,
    )
  })
  .openapi(list, async (c) => {
    const q = c.req.valid('query')
    const orders = await c.var.deps.orders.orders.listForUser(c.var.principal.userId, {
      limit: q.limit,
      ...(q.before && { before: q.before as OrderId }),
    })
    const last = orders.at(-1)
    return c.json({ orders: orders.map(orderView), next_before: orders.length === q.limit && last ? last.id : null }, 200)
  })
  .openapi(show, async (c) => {
    const order = await c.var.deps.orders.orders.findForUser(c.req.valid('param').order_id as OrderId, c.var.principal.userId)
    if (!order) throw new HttpError(404, 'ORDER_NOT_FOUND', 'Order not found')
    return c.json({ order: orderView(order) }, 200)
  })
  .openapi(cancel, async (c) => {
    const result = await cancelOrder(c.var.deps.orders, {
      orderId: c.req.valid('param').order_id as OrderId,
      userId: c.var.principal.userId,
      requestId: c.var.requestId,
    })
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ order: orderView(result.value) }, 200)
  })
