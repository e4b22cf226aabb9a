import { createRoute } from '@hono/zod-openapi'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import type { CartSessionId } from '../carts/domain/cart.ts'
import { CartSessionSchema, cartView, CartView, mergeGuestCart } from '../carts/index.ts'
import { clientIp } from '../platform/http/caller.ts'
import { errorResponses, guard, json, jsonBody, refuse, routesOf } from '../platform/http/route-kit.ts'
import type { IdentityErrorCode } from './domain/errors.ts'
import { logIn } from './use-cases/log-in.ts'
import { registerUser } from './use-cases/register-user.ts'

const Email = z.email().max(254)

export const RegisterRequest = z.strictObject({
  email: Email,
  password: z.string().min(10, 'at least 10 characters').max(200),
})

const LoginPassword = z.string().min(1).max(200)

/**
 * Seed 004 §5's clients send `{email, pwd, sessionId}`; this API's own names are `password` and
 * `session_id`. Either spelling is accepted (one of each pair), and handlers see the API's names.
 */
export const LoginRequest = z
  .strictObject({
    email: Email,
    password: LoginPassword.optional(),
    pwd: LoginPassword.optional().describe('seed 004 §5 name for password'),
    session_id: CartSessionSchema.optional().describe('guest cart to merge into the user cart (seed 004 §5)'),
    sessionId: CartSessionSchema.optional().describe('seed 004 §5 name for session_id'),
  })
  .refine((b) => (b.password === undefined) !== (b.pwd === undefined), {
    message: 'give exactly one of password or pwd',
    path: ['password'],
  })
  .refine((b) => b.session_id === undefined || b.sessionId === undefined, {
    message: 'give session_id or sessionId, not both',
    path: ['session_id'],
  })
  .transform((b) => ({ email: b.email, password: (b.password ?? b.pwd) as string, session_id: b.session_id ?? b.sessionId }))

const UserView = z.object({ id: z.string(), email: z.string(), roles: z.array(z.string()) })
const LoginResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  user: UserView,
  cart: CartView.nullable().describe('the merged cart when session_id was sent'),
  cart_merged: z.boolean(),
})

const STATUS: Record<IdentityErrorCode, ContentfulStatusCode> = {
  EMAIL_TAKEN: 409,
  INVALID_CREDENTIALS: 401,
  LOGIN_THROTTLED: 429,
  LOCAL_LOGIN_DISABLED: 404,
}

const register = createRoute({
  method: 'post',
  path: '/auth/register',
  summary: 'Create an account (password stored as salted PBKDF2)',
  tags: ['identity'],
  ...guard('none'),
  request: { body: jsonBody(RegisterRequest) },
  responses: { 201: json(z.object({ user: UserView }), 'Registered'), ...errorResponses(400, 409) },
})

const login = createRoute({
  method: 'post',
  path: '/auth/login',
  summary: 'Log in (rate-limited per account and IP); with session_id, merge the guest cart',
  tags: ['identity'],
  ...guard('none'),
  request: { body: jsonBody(LoginRequest) },
  responses: { 200: json(LoginResponse, 'Signed in'), ...errorResponses(400, 401, 404, 429, 503) },
})

export const identityRoutes = routesOf()
  .openapi(register, async (c) => {
    const b = c.req.valid('json')
    const result = await registerUser(c.var.deps.identity, { email: b.email, password: b.password, requestId: c.var.requestId })
    if (!result.ok) refuse(result.error, STATUS)
    c.var.logger.info('user registered', { user_id: result.value.id })
    return c.json({ user: { id: result.value.id, email: result.value.email, roles: [...result.value.roles] } }, 201)
  })
  .openapi(login, async (c) => {
    const b = c.req.valid('json')
    const result = await logIn(
      { ...c.var.deps.identity, defer: c.var.defer },
      { email: b.email, password: b.password, ip: clientIp(c) ?? 'unknown' },
    )
    if (!result.ok) {
      const e = result.error
      c.var.logger.info('login refused', { code: e.code })
      refuse(e, STATUS, e.code === 'LOGIN_THROTTLED' ? { 'retry-after': String(e.details?.['retry_after_seconds']) } : {})
    }
    const { user, token } = result.value
    let cart: z.infer<typeof CartView> | null = null
    let merged = false
    if (b.session_id) {
      const out = await mergeGuestCart(c.var.deps.carts, user.id, b.session_id as CartSessionId)
      cart = cartView('user', out.cart)
      merged = out.merged
    }
    c.var.logger.info('user logged in', { user_id: user.id, cart_merged: merged })
    return c.json(
      {
        access_token: token.accessToken,
        token_type: 'Bearer' as const,
        expires_in: token.expiresInSeconds,
        user: { id: user.id, email: user.email, roles: [...user.roles] },
        cart,
        cart_merged: merged,
      },
      200,
    )
  })
