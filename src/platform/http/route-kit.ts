import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ZodType } from 'zod'
import type { DomainError } from '../../shared/result.ts'
import type { AppEnv } from './app-env.ts'
import { optionalUser, requireAdmin, requireUser, type AuthedEnv } from './auth-middleware.ts'
import { DomainRefusal, HttpError } from './errors.ts'
import { idempotency } from './idempotency.ts'
import { nulPath } from './validation.ts'

/**
 * The kit every context declares its routes with (@hono/zod-openapi): one `createRoute` object is
 * the route's validation, its handler's types and its OpenAPI entry, so the document cannot drift
 * from what is served. Errors are thrown (HttpError, or `refuse` for a domain error) and leave
 * through the one error funnel (error-handler.ts) in the API's envelope.
 */

/** A context's routes. Failed validation is the API's 400 VALIDATION_FAILED with field paths. */
export const routesOf = () =>
  new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new HttpError(
          400,
          'VALIDATION_FAILED',
          `Invalid request ${result.target}`,
          result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code })),
        )
      }
      const nul = nulPath(result.data)
      if (nul !== null) {
        throw new HttpError(400, 'VALIDATION_FAILED', `Invalid request ${result.target}`, [
          { path: nul, message: 'must not contain NUL characters', code: 'invalid_string' },
        ])
      }
    },
  })

/** Throws a context's domain error with the status its table gives it (one status per code). */
export function refuse<C extends string>(
  error: DomainError<C>,
  statuses: Record<C, ContentfulStatusCode>,
  headers: Record<string, string> = {},
): never {
  throw new DomainRefusal(statuses[error.code], error.code, error.message, error.details, headers)
}

/** The shape of every error body: `{ error: { code, message, details?, request_id } }`. */
export const ErrorEnvelope = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional(), request_id: z.string() }),
  })
  .openapi('Error')

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request or refused by a business rule',
  401: 'Missing or invalid credentials (AUTH_REQUIRED)',
  403: 'Authenticated but not allowed',
  404: 'Not found',
  409: 'Conflict (concurrent request or state)',
  413: 'Body too large',
  415: 'The body is not application/json (UNSUPPORTED_MEDIA_TYPE)',
  422: 'Idempotency-Key reused with a different request, or refused by a business rule',
  429: 'Too many attempts; see Retry-After',
  501: 'Not available in this runtime',
  503: 'A dependency is unavailable; retry later',
}

/** A JSON response (or request body content) of a route. */
export const json = <T extends ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

/** A required JSON request body. */
export const jsonBody = <T extends ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
})

/** The error responses a route can give, each with the error envelope; spread into `responses`. */
export const errorResponses = <S extends number>(...statuses: S[]) =>
  Object.fromEntries(statuses.map((s) => [s, json(ErrorEnvelope, ERROR_DESCRIPTIONS[s] ?? 'Error')])) as Record<
    S,
    ReturnType<typeof json<typeof ErrorEnvelope>>
  >

/** Who may call a route, as the document's `x-auth` names it. */
export type Auth = 'none' | 'optional' | 'user' | 'admin' | 'qstash' | 'signature'

const SECURITY: Record<Auth, Record<string, string[]>[]> = {
  none: [],
  optional: [{}, { bearer: [] }],
  user: [{ bearer: [] }],
  admin: [{ bearer: [] }],
  qstash: [{ qstashSignature: [] }],
  signature: [],
}

/**
 * Who may call a route, spread into `createRoute`: its security in the document (`x-auth` names it
 * for the fuzzing and authorisation suites) and the middleware that enforces it. After
 * `guard('user')` or `guard('admin')` handlers read `c.var.principal` without `!` (their middleware is
 * typed as a one-element tuple: @hono/zod-openapi narrows the handler's env only from a tuple, and the
 * idempotency middleware that may follow the auth check adds nothing to the env).
 * `idempotent: 'required'` refuses a call without an Idempotency-Key (400 IDEMPOTENCY_KEY_REQUIRED).
 */
export function guard<A extends 'user' | 'admin'>(
  auth: A,
  opts?: { idempotent?: boolean | 'required' },
): { security: Record<string, string[]>[]; 'x-auth': A; 'x-idempotent'?: true; middleware: [MiddlewareHandler<AuthedEnv>] }
export function guard<A extends Exclude<Auth, 'user' | 'admin'>>(
  auth: A,
  opts?: { idempotent?: boolean | 'required' },
): { security: Record<string, string[]>[]; 'x-auth': A; 'x-idempotent'?: true; middleware: MiddlewareHandler<AppEnv>[] }
export function guard(
  auth: Auth,
  opts: { idempotent?: boolean | 'required' } = {},
): { security: Record<string, string[]>[]; 'x-auth': Auth; middleware: MiddlewareHandler<any>[] } {
  const check: MiddlewareHandler<any>[] =
    auth === 'user' ? [requireUser] : auth === 'admin' ? [requireAdmin] : auth === 'optional' ? [optionalUser] : []
  return {
    security: SECURITY[auth],
    'x-auth': auth,
    middleware: [...check, ...(opts.idempotent ? [idempotency({ required: opts.idempotent === 'required' })] : [])],
    // The Idempotency-Key header parameter is added to the document for `x-idempotent` operations
    // (app.ts), not validated here: the idempotency middleware checks the key itself.
    ...(opts.idempotent && { 'x-idempotent': true as const }),
  }
}
