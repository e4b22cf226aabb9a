import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { Principal } from '../auth.ts'
import type { AppEnv } from './app-env.ts'
import { HttpError } from './errors.ts'

async function principalFrom(c: Context<AppEnv>): Promise<Principal | null | undefined> {
  const header = c.req.header('authorization')
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  if (!match) return null
  return c.var.deps.verifyToken(match[1]!)
}

/**
 * The one 401 of the service, for a missing, malformed, forged or expired token on any route or
 * socket. `AUTH_REQUIRED` is the code seed 003's front end maps to its sign-in prompt.
 */
export const authRequired = (message = 'A valid bearer token is required') =>
  new HttpError(401, 'AUTH_REQUIRED', message, undefined, { 'www-authenticate': 'Bearer' })

const unauthenticated = () => authRequired()

/** The context after requireUser or requireAdmin: the principal is there (route-kit's `guard`). */
export type AuthedEnv = AppEnv & { Variables: { principal: Principal } }

/** Requires a valid token; `c.var.principal` is then set. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const p = await principalFrom(c)
  if (!p) throw unauthenticated()
  c.set('principal', p)
  await next()
})

/** Requires a valid token with the admin role: others get 403, anonymous callers 401. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const p = await principalFrom(c)
  if (!p) throw unauthenticated()
  if (!p.isAdmin) throw new HttpError(403, 'FORBIDDEN', 'This operation requires the admin role')
  c.set('principal', p)
  await next()
})

/** Accepts anonymous calls, but a token that is present must be valid. */
export const optionalUser = createMiddleware<AppEnv>(async (c, next) => {
  const p = await principalFrom(c)
  if (p === null) throw unauthenticated()
  if (p) c.set('principal', p)
  await next()
})
