import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

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

/**
 * A use case's refusal (a domain error) on its way to the error funnel: an answer like a success,
 * so the idempotency middleware keeps it for the key's replays, where an edge HttpError (a body
 * that failed validation, a missing token) frees the key for the corrected retry.
 */
export class DomainRefusal extends HttpError {
  override name = 'DomainRefusal'
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
