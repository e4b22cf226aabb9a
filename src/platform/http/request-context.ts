import { createMiddleware } from 'hono/factory'
import { prefixedId } from '../../shared/ids.ts'
import type { AppEnv } from './app-env.ts'

const INCOMING_ID = /^[A-Za-z0-9._:-]{8,128}$/

/**
 * Gives every request an id (the caller's X-Request-Id if it looks sane, else a new one), echoes
 * it on the response, and writes one log line per request with status and duration.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const incoming = c.req.header('x-request-id')
  const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : prefixedId('req')
  c.set('requestId', requestId)
  c.header('x-request-id', requestId)
  const started = Date.now()
  await next()
  c.res.headers.set('x-request-id', requestId)
  c.var.logger?.info('request', {
    request_id: requestId,
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    duration_ms: Date.now() - started,
  })
})
