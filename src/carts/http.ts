import { createRoute } from '@hono/zod-openapi'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import type { VariantId } from '../catalog/domain/variant.ts'
import { MAX_LINE_QUANTITY } from '../catalog/domain/variant.ts'
import type { Principal } from '../platform/auth.ts'
import type { AppEnv } from '../platform/http/app-env.ts'
import { HttpError } from '../platform/http/errors.ts'
import { errorResponses, guard, json, jsonBody, refuse, routesOf } from '../platform/http/route-kit.ts'
import { prefixedId } from '../platform/http/schemas.ts'
import type { CartSessionId } from './domain/cart.ts'
import type { CartErrorCode } from './domain/errors.ts'
import type { CartOwner } from './ports.ts'
import { addToCart, removeFromCart, setCartQuantity } from './use-cases/edit-cart.ts'
import { viewCart, type PricedCart } from './use-cases/view-cart.ts'

export const SESSION_HEADER = 'x-cart-session'
export const CartSessionSchema = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, '16-128 url-safe characters')

/**
 * The guest cart's header, declared so the document shows it. Any value passes this schema: a
 * signed-in caller's header is ignored, and a guest's malformed one is CART_SESSION_REQUIRED
 * (ownerOf), not a validation failure.
 */
const CartSessionHeader = z.object({
  [SESSION_HEADER]: z
    .string()
    .optional()
    .describe(
      'guest cart session id (16-128 url-safe characters, issued by POST /api/v1/cart/session); required without a bearer token, ignored with one',
    ),
})

const AddItemRequest = z.strictObject({ variant_id: prefixedId('var'), quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY) })
const SetQuantityRequest = z.strictObject({ quantity: z.number().int().min(0).max(MAX_LINE_QUANTITY).describe('0 removes the line') })
const VariantParam = z.object({ variant_id: prefixedId('var') })

export const CartView = z.object({
  owner: z.enum(['guest', 'user']),
  lines: z.array(
    z.object({
      variant_id: z.string(),
      sku: z.string(),
      name: z.string(),
      unit_price: z.number().int(),
      currency: z.string(),
      quantity: z.number().int(),
      line_total: z.number().int(),
      available: z.number().int(),
      purchasable: z.boolean(),
    }),
  ),
  subtotals: z.array(z.object({ amount: z.number().int(), currency: z.string() })),
})

export const cartView = (owner: CartOwner['kind'], cart: PricedCart): z.infer<typeof CartView> => ({
  owner,
  lines: cart.lines.map((l) => ({
    variant_id: l.variant.id,
    sku: l.variant.sku,
    name: l.variant.name,
    unit_price: l.variant.price.amount,
    currency: l.variant.price.currency,
    quantity: l.quantity,
    line_total: l.lineTotal.amount,
    available: l.variant.available,
    purchasable: l.variant.purchasable,
  })),
  subtotals: cart.subtotals.map((m) => ({ amount: m.amount, currency: m.currency })),
})

const STATUS: Record<CartErrorCode, ContentfulStatusCode> = {
  VARIANT_NOT_FOUND: 404,
  VARIANT_NOT_PURCHASABLE: 422,
  INSUFFICIENT_STOCK: 409,
}

/** A signed-in caller's cart is theirs; a guest's is the one named by the X-Cart-Session header. */
function ownerOf(principal: Principal | undefined, session: string | undefined): CartOwner {
  if (principal) return { kind: 'user', userId: principal.userId }
  const id = CartSessionSchema.safeParse(session)
  if (!id.success) {
    throw new HttpError(
      400,
      'CART_SESSION_REQUIRED',
      `Sign in, or send a guest session id in ${SESSION_HEADER} (POST /api/v1/cart/session issues one)`,
    )
  }
  return { kind: 'guest', sessionId: id.data as CartSessionId }
}

const cartsOf = (v: AppEnv['Variables']) => v.deps.carts

const cartResponse = { 200: json(z.object({ cart: CartView }), 'The cart, priced from the catalog') }

const issueSession = createRoute({
  method: 'post',
  path: '/cart/session',
  summary: 'Issue a guest cart session id (send it back in X-Cart-Session)',
  tags: ['carts'],
  ...guard('none'),
  responses: { 201: json(z.object({ session_id: z.string(), header: z.string() }), 'A new session id') },
})

const show = createRoute({
  method: 'get',
  path: '/cart',
  summary: "The caller's cart (user) or the session's (guest)",
  tags: ['carts'],
  ...guard('optional'),
  request: { headers: CartSessionHeader },
  responses: { ...cartResponse, ...errorResponses(400, 401, 503) },
})

const addItem = createRoute({
  method: 'post',
  path: '/cart/items',
  summary: 'Add units of a variant (checked against the catalog and what can be bought)',
  tags: ['carts'],
  ...guard('optional'),
  request: { headers: CartSessionHeader, body: jsonBody(AddItemRequest) },
  responses: { ...cartResponse, ...errorResponses(400, 401, 404, 409, 422, 503) },
})

const setQuantity = createRoute({
  method: 'put',
  path: '/cart/items/{variant_id}',
  summary: 'Set the quantity of a line (0 removes it)',
  tags: ['carts'],
  ...guard('optional'),
  request: { params: VariantParam, headers: CartSessionHeader, body: jsonBody(SetQuantityRequest) },
  responses: { ...cartResponse, ...errorResponses(400, 401, 404, 409, 422, 503) },
})

const removeItem = createRoute({
  method: 'delete',
  path: '/cart/items/{variant_id}',
  summary: 'Remove a line',
  tags: ['carts'],
  ...guard('optional'),
  request: { params: VariantParam, headers: CartSessionHeader },
  responses: { ...cartResponse, ...errorResponses(400, 401, 503) },
})

export const cartRoutes = routesOf()
  .openapi(issueSession, (c) => {
    const bytes = crypto.getRandomValues(new Uint8Array(24))
    const id = btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
    return c.json({ session_id: id, header: SESSION_HEADER }, 201)
  })
  .openapi(show, async (c) => {
    const owner = ownerOf(c.var.principal, c.req.valid('header')[SESSION_HEADER])
    return c.json({ cart: cartView(owner.kind, await viewCart(cartsOf(c.var), owner)) }, 200)
  })
  .openapi(addItem, async (c) => {
    const owner = ownerOf(c.var.principal, c.req.valid('header')[SESSION_HEADER])
    const b = c.req.valid('json')
    const result = await addToCart(cartsOf(c.var), owner, b.variant_id as VariantId, b.quantity)
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ cart: cartView(owner.kind, result.value) }, 200)
  })
  .openapi(setQuantity, async (c) => {
    const owner = ownerOf(c.var.principal, c.req.valid('header')[SESSION_HEADER])
    const result = await setCartQuantity(cartsOf(c.var), owner, c.req.valid('param').variant_id as VariantId, c.req.valid('json').quantity)
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ cart: cartView(owner.kind, result.value) }, 200)
  })
  .openapi(removeItem, async (c) => {
    const owner = ownerOf(c.var.principal, c.req.valid('header')[SESSION_HEADER])
    const cart = await removeFromCart(cartsOf(c.var), owner, c.req.valid('param').variant_id as VariantId)
    return c.json({ cart: cartView(owner.kind, cart) }, 200)
  })
