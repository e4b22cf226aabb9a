import { describe, expect, it } from 'vitest'
import { call } from './helpers.ts'

describe('platform routes', () => {
  it('GET /health reports database and Redis reachable', async () => {
    const r = await call('GET', '/health')
    expect(r.status).toBe(200)
    expect(r.body.status).toBe('ok')
    expect(r.body.checks.database.ok).toBe(true)
    expect(r.body.checks.redis.ok).toBe(true)
  })

  it('unknown routes answer 404 JSON in the error shape with a request id', async () => {
    const r = await call('GET', '/nope')
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('NOT_FOUND')
    expect(r.body.error.request_id).toBe(r.headers.get('x-request-id'))
  })

  it('keeps a sane caller request id and replaces a hostile one', async () => {
    const kept = await call('GET', '/health', { headers: { 'x-request-id': 'abc-123-def-456' } })
    expect(kept.headers.get('x-request-id')).toBe('abc-123-def-456')
    const replaced = await call('GET', '/health', { headers: { 'x-request-id': '<script>' } })
    expect(replaced.headers.get('x-request-id')).toMatch(/^req_/)
  })

  it('serves an OpenAPI 3.1 document generated from the zod schemas, and a docs page', async () => {
    const r = await call('GET', '/openapi.json')
    expect(r.status).toBe(200)
    expect(r.body.openapi).toBe('3.1.0')
    const op = r.body.paths['/api/gifts/use'].post
    expect(op.requestBody.content['application/json'].schema.required.sort()).toEqual(['gift_id', 'pin', 'supplier_invoice_no'])
    expect(r.body.paths['/api/admin/suppliers/{supplier_code}/accounts'].post.parameters[0].name).toBe('supplier_code')
    const docs = await call('GET', '/docs')
    expect(docs.status).toBe(200)
    expect(docs.headers.get('content-type')).toContain('text/html')
    expect(docs.body).toContain('/api/gifts/use')
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('rejects oversized bodies with 413 before parsing', async () => {
    const r = await call('POST', '/api/gifts/use', { rawBody: JSON.stringify({ gift_id: 'x'.repeat(1_100_000) }) })
    expect(r.status).toBe(413)
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('job endpoints refuse unsigned and wrongly signed deliveries', async () => {
    const unsigned = await call('POST', '/jobs/platform.heartbeat', { body: {} })
    expect(unsigned.status).toBe(401)
    expect(unsigned.body.error.code).toBe('SIGNATURE_MISSING')
    const forged = await call('POST', '/jobs/platform.heartbeat', {
      body: {},
      headers: { 'upstash-signature': 'eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJVcHN0YXNoIn0.AAAA' },
    })
    expect(forged.status).toBe(401)
    expect(forged.body.error.code).toBe('SIGNATURE_INVALID')
  })
})
