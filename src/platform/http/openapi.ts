import { z, type ZodType } from 'zod'

/**
 * OpenAPI 3.1 built from the same zod schemas the routes validate with, so the document cannot
 * drift from what the API accepts. Each context describes its routes next to their handlers.
 */
export type Auth = 'none' | 'optional' | 'user' | 'admin' | 'qstash' | 'signature'

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  /** Hono-style path: `/api/gifts/:gift_id`. */
  path: string
  summary: string
  tag: string
  auth: Auth
  idempotent?: boolean
  params?: ZodType
  query?: ZodType
  body?: ZodType
  responses: Record<number, { description: string; schema?: ZodType }>
}

const toJsonSchema = (schema: ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' })

function parameters(schema: ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return []
  const json = toJsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] }
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }))
}

const SECURITY: Record<Auth, unknown[] | undefined> = {
  none: [],
  optional: [{}, { bearer: [] }],
  user: [{ bearer: [] }],
  admin: [{ bearer: [] }],
  qstash: [{ qstashSignature: [] }],
  signature: [],
}

export class ApiDocs {
  private readonly routes: RouteDoc[] = []

  add(...docs: RouteDoc[]): void {
    this.routes.push(...docs)
  }

  list(): readonly RouteDoc[] {
    return this.routes
  }

  document(info: { title: string; version: string; serverUrl?: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {}
    for (const r of this.routes) {
      const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
      const headerParams = r.idempotent
        ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }]
        : []
      paths[path] ??= {}
      paths[path][r.method] = {
        summary: r.summary,
        tags: [r.tag],
        security: SECURITY[r.auth],
        'x-auth': r.auth,
        parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query'), ...headerParams],
        ...(r.body && {
          requestBody: { required: true, content: { 'application/json': { schema: toJsonSchema(r.body, 'input') } } },
        }),
        responses: Object.fromEntries(
          Object.entries(r.responses).map(([status, res]) => [
            status,
            {
              description: res.description,
              content: { 'application/json': { schema: res.schema ? toJsonSchema(res.schema, 'output') : ERROR_SCHEMA } },
            },
          ]),
        ),
      }
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      ...(info.serverUrl && { servers: [{ url: info.serverUrl }] }),
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          qstashSignature: { type: 'apiKey', in: 'header', name: 'Upstash-Signature' },
        },
        schemas: { Error: ERROR_SCHEMA },
      },
      paths,
    }
  }
}

/** The shape of every error body (see errors.ts). */
export const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'request_id'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {},
        request_id: { type: 'string' },
      },
    },
  },
} as const

/** Standard error responses, spread into a route's `responses`. */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { description: ERROR_DESCRIPTIONS[s] ?? 'Error' }]))

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request or refused by a business rule',
  401: 'Missing or invalid credentials',
  403: 'Authenticated but not allowed',
  404: 'Not found',
  409: 'Conflict (concurrent request or state)',
  422: 'Idempotency-Key reused with a different request',
  429: 'Too many attempts; see Retry-After',
  503: 'A dependency is unavailable; retry later',
}
