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
  logger.error('unhandled error', { error: e, path: c.req.path })
  return errorResponse(c, 500, 'INTERNAL_ERROR', 'Unexpected error; quote the request id when reporting it')
}
