import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ConfigError } from '../config.ts'
import { DependencyUnavailable } from '../dependency.ts'
import { createLogger } from '../logger.ts'
import type { AppEnv } from './app-env.ts'
import { errorResponse, HttpError } from './errors.ts'

const fallbackLogger = createLogger('info', { component: 'http' })

/** The single place exceptions become responses; nothing internal leaks into a body. */
export function handleError(e: Error, c: Context<AppEnv>): Response {
  const logger = c.var.logger ?? fallbackLogger
  if (e instanceof HttpError) return errorResponse(c, e.status, e.code, e.message, e.details, e.headers)
  if (e instanceof HTTPException) {
    // Raised by Hono itself, e.g. a body that is not JSON reaching a JSON validator.
    const status = e.status as ContentfulStatusCode
    if (status === 415) return errorResponse(c, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json')
    const code = status === 400 ? 'MALFORMED_REQUEST' : status === 413 ? 'PAYLOAD_TOO_LARGE' : 'HTTP_ERROR'
    return errorResponse(c, status, code, e.message || 'Bad request')
  }
  if (e instanceof DependencyUnavailable) {
    logger.error('dependency unavailable', { dependency: e.dependency, error: e.cause })
    return errorResponse(c, 503, 'DEPENDENCY_UNAVAILABLE', `${e.dependency} is unavailable; retry later`, {
      dependency: e.dependency,
    })
  }
  if (e instanceof ConfigError) {
    // Loud in the log (names only, never values); vague in the body.
    logger.error('configuration invalid', { problems: e.problems })
    return errorResponse(c, 500, 'CONFIG_INVALID', 'The service is misconfigured')
  }
  if (databaseUnavailable(e)) {
    logger.error('database unavailable', { error: e, path: c.req.path })
    return errorResponse(
      c,
      503,
      'DEPENDENCY_UNAVAILABLE',
      'postgres is unavailable; retry later',
      { dependency: 'postgres' },
      { 'retry-after': '1' },
    )
  }
  logger.error('unhandled error', { error: e, path: c.req.path })
  return errorResponse(c, 500, 'INTERNAL_ERROR', 'Unexpected error; quote the request id when reporting it')
}

// Postgres saying it cannot take the work now (too many connections, starting up, shutting down,
// connection lost), however deep in the cause chain (drizzle wraps the driver's error, and a
// Durable Object's error arrives as text): the request changed nothing and may be retried.
const UNAVAILABLE =
  /too many clients|53300|57P0[1-3]|the database system is (starting|shutting)|ECONNREFUSED|Connection terminated|write CONNECTION_CLOSED/i

function databaseUnavailable(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code
    if (typeof code === 'string' && /^(53300|57P0[1-3]|08\d{3})$/.test(code)) return true
    if (cur instanceof Error && UNAVAILABLE.test(cur.message)) return true
  }
  return false
}
