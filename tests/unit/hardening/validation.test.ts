import { Hono } from 'hono'
import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { HttpError } from '../../../src/platform/http/errors.ts'
import { nulPath, validate } from '../../../src/platform/http/validation.ts'

/** Found by the fuzzer (issue 7): a NUL in any accepted string reached Postgres and answered 500. */
describe('validate refuses NUL characters in every target', () => {
  it('nulPath names the first string (or key) holding U+0000', () => {
    expect(nulPath({ a: 'ok', b: [{ c: 'x\u0000y' }] })).toBe('b.0.c')
    expect(nulPath({ ['k\u0000']: 1 })).toBe('k\u0000')
    expect(nulPath({ a: 'ok', n: 1, z: null, t: true })).toBeNull()
    expect(nulPath('\u0000')).toBe('')
  })

  it('answers 400 VALIDATION_FAILED for a JSON body, a query and a path parameter', async () => {
    const app = new Hono()
      .post('/j', validate('json', z.object({ name: z.string() })), (c) => c.json(c.req.valid('json')))
      .get('/q/:id', validate('param', z.object({ id: z.string() })), validate('query', z.object({ s: z.string().optional() })), (c) => c.json({}))
    app.onError((e, c) => (e instanceof HttpError ? c.json({ code: e.code, details: e.details }, e.status) : c.json({ code: 'INTERNAL' }, 500)))
    const body = await app.request('/j', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'a\u0000b' }) })
    expect(body.status).toBe(400)
    expect(await body.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'name' }] })
    expect((await app.request('/q/x?s=a%00b')).status).toBe(400)
    expect((await app.request('/q/a%00b')).status).toBe(400)
    expect((await app.request('/q/ok?s=fine')).status).toBe(200)
    const ok = await app.request('/j', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Ω 日本 😀' }) })
    expect(ok.status).toBe(200)
  })
})
