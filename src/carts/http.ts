import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import type { VariantId } from '../catalog/domain/variant.ts'
import { MAX_LINE_QUANTITY } from '../catalog/domain/variant.ts'
import { Id } from '../catalog/http.ts'
import type { AppEnv } from '../platform/http/app-env.ts'
import { optionalUser } from '../platform/http/auth-middleware.ts'
import { domainErrorResponse, HttpError } from '../platform/http/errors.ts'
import { errors, type RouteDoc } from '../platform/http/openapi.ts'
import { validate } from '../platform/http/validation.ts'
import type { CartSessionId } from './domain/cart.ts'
import type { CartErrorCode } from './domain/errors.ts'
import type { CartOwner } from './ports.ts'
import { addToCart, removeFromCart, setCartQuantity } from './use-cases/edit-cart.ts'
import { viewCart, type PricedCart } from './use-cases/view-cart.ts'

export const SESSION_HEADER = 'x-cart-session'
export const CartSessionSchema = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, '16-128 url-safe characters')

const AddItemRequest = z.strictObject({ variant_id: Id('var'), quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY) })
const SetQuantityRequest = z.strictObject({ quantity: z.number().int().min(0).max(MAX_LINE_QUANTITY).describe('0 removes the line') })
const VariantParam = z.object({ variant_id: Id('var') })

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
function ownerOf(c: Context<AppEnv>): CartOwner {
  const p = c.var.principal
  if (p) return { kind: 'user', userId: p.userId }
  const session = CartSessionSchema.safeParse(c.req.header(SESSION_HEADER))
  if (!session.success) {
    throw new HttpError(400, 'CART_SESSION_REQUIRED', `Sign in, or send a guest session id in ${SESSION_HEADER} (POST /api/v1/cart/session issues one)`)
  }
  return { kind: 'guest', sessionId: session.data as CartSessionId }
}

const deps = (c: Context<AppEnv>) => c.var.deps.commerce.carts

export const cartRoutes = new Hono<AppEnv>()
  .post('/cart/session', (c) => {
    const bytes = crypto.getRandomValues(new Uint8Array(24))
    const id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    return c.json({ session_id: id, header: SESSION_HEADER }, 201)
  })
  .get('/cart', optionalUser, async (c) => {
    const owner = ownerOf(c)
    return c.json({ cart: cartView(owner.kind, await viewCart(deps(c), owner)) })
  })
  .post('/cart/items', optionalUser, validate('json', AddItemRequest), async (c) => {
    const owner = ownerOf(c)
    const b = c.req.valid('json')
    const result = await addToCart(deps(c), owner, b.variant_id as VariantId, b.quantity)
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ cart: cartView(owner.kind, result.value) })
  })
  .put('/cart/items/:variant_id', optionalUser, validate('param', VariantParam), validate('json', SetQuantityRequest), async (c) => {
    const owner = ownerOf(c)
    const result = await setCartQuantity(deps(c), owner, c.req.valid('param').variant_id as VariantId, c.req.valid('json').quantity)
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ cart: cartView(owner.kind, result.value) })
  })
  .delete('/cart/items/:variant_id', optionalUser, validate('param', VariantParam), async (c) => {
    const owner = ownerOf(c)
    const cart = await removeFromCart(deps(c), owner, c.req.valid('param').variant_id as VariantId)
    return c.json({ cart: cartView(owner.kind, cart) })
  })

const cartResponse = { 200: { description: 'The cart, priced from the catalog', schema: z.object({ cart: CartView }) } }

export const cartDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/v1/cart/session',
    summary: 'Issue a guest cart session id (send it back in X-Cart-Session)',
    tag: 'carts',
    auth: 'none',
    responses: { 201: { description: 'A new session id', schema: z.object({ session_id: z.string(), header: z.string() }) } },
  },
  { method: 'get', path: '/api/v1/cart', summary: "The caller's cart (user) or the session's (guest)", tag: 'carts', auth: 'optional', responses: { ...cartResponse, ...errors(400, 401, 503) } },
  {
    method: 'post',
    path: '/api/v1/cart/items',
    summary: 'Add units of a variant (checked against the catalog and what can be bought)',
    tag: 'carts',
    auth: 'optional',
    body: AddItemRequest,
    responses: { ...cartResponse, ...errors(400, 401, 404, 409, 422, 503) },
  },
  {
    method: 'put',
    path: '/api/v1/cart/items/:variant_id',
    summary: 'Set the quantity of a line (0 removes it)',
    tag: 'carts',
    auth: 'optional',
    params: VariantParam,
    body: SetQuantityRequest,
    responses: { ...cartResponse, ...errors(400, 401, 404, 409, 422, 503) },
  },
  {
    method: 'delete',
    path: '/api/v1/cart/items/:variant_id',
    summary: 'Remove a line',
    tag: 'carts',
    auth: 'optional',
    params: VariantParam,
    responses: { ...cartResponse, ...errors(400, 401, 503) },
  },
]
