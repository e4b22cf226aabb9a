import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Auth } from './route-kit.ts'

type Operation = Record<string, unknown> & {
  summary?: string
  tags?: string[]
  'x-auth'?: Auth
  'x-idempotent'?: boolean
  responses?: Record<string, unknown>
}
export type ApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, Operation>>
  components?: Record<string, Record<string, unknown>>
}

/** One operation of the document as the docs page and the test suites read it (Hono-style path). */
export interface DocumentedOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  path: string
  summary: string
  tag: string
  auth: Auth
  idempotent?: boolean
  responses: Record<number, { description: string }>
}

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'replays the first answer for the same key and body (24 h); a different body is 422',
  schema: { type: 'string', maxLength: 255 },
}

const SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
  qstashSignature: { type: 'apiKey', in: 'header', name: 'Upstash-Signature' },
}

/**
 * The API's OpenAPI 3.1 document, generated from the routes' createRoute declarations (the same
 * objects that validate requests and type handlers). Operations marked `x-idempotent` get the
 * Idempotency-Key header parameter, which the idempotency middleware (not a validator) checks.
 */
export function apiDocument(routes: OpenAPIHono<any, any, any>, info: { title: string; version: string; serverUrl?: string }): ApiDocument {
  const doc = routes.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    ...(info.serverUrl && { servers: [{ url: info.serverUrl }] }),
  }) as unknown as ApiDocument
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(ops)) {
      if (op['x-idempotent']) op['parameters'] = [...((op['parameters'] as unknown[]) ?? []), IDEMPOTENCY_HEADER]
    }
  }
  const components = (doc.components ??= {})
  components['securitySchemes'] = { ...components['securitySchemes'], ...SECURITY_SCHEMES }
  return doc
}

/** The document's operations, for the docs page and the fuzzing and authorisation suites. */
export function operationsOf(doc: ApiDocument): DocumentedOperation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method as DocumentedOperation['method'],
      path: path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1'),
      summary: op.summary ?? '',
      tag: op.tags?.[0] ?? 'other',
      auth: op['x-auth'] ?? 'none',
      ...(op['x-idempotent'] && { idempotent: true }),
      responses: Object.fromEntries(
        Object.entries(op.responses ?? {}).map(([s, r]) => [
          Number(s),
          { description: String((r as { description?: string }).description ?? '') },
        ]),
      ),
    })),
  )
}
