import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { DomainError } from '../../shared/result.ts'

/** The one error shape of the API: `{ error: { code, message, details?, request_id } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; request_id: string }
}

/** An error raised at the edge (auth, validation, idempotency) with its status and stable code. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: unknown,
  headers: Record<string, string> = {},
): Response {
  const body: ErrorBody = { error: { code, message, request_id: c.get('requestId') ?? 'unknown' } }
  if (details !== undefined) body.error.details = details
  for (const [k, v] of Object.entries(headers)) c.header(k, v)
  return c.json(body, status)
}

/**
 * Maps a context's domain errors to statuses through that context's table, so every code has
 * exactly one status and a new code without one fails the type check.
 */
export function domainErrorResponse<C extends string>(
  c: Context,
  error: DomainError<C>,
  statuses: Record<C, ContentfulStatusCode>,
  headers: Record<string, string> = {},
): Response {
  return errorResponse(c, statuses[error.code], error.code, error.message, error.details, headers)
}
