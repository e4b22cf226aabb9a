import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { HttpError } from '../../../src/platform/http/errors.ts'
import { jsonBody, json, routesOf } from '../../../src/platform/http/route-kit.ts'
import { nulPath } from '../../../src/platform/http/validation.ts'

/** Found by the fuzzer (issue 7): a NUL in any accepted string reached Postgres and answered 500. */
describe('every route refuses NUL characters in every target', () => {
  it('nulPath names the first string (or key) holding U+0000', () => {
    expect(nulPath({ a: 'ok', b: [{ c: 'x\u0000y' }] })).toBe('b.0.c')
    expect(nulPath({ ['k\u0000']: 1 })).toBe('k\u0000')
    expect(nulPath({ a: 'ok', n: 1, z: null, t: true })).toBeNull()
    expect(nulPath('\u0000')).toBe('')
  })

  it('answers 400 VALIDATION_FAILED for a JSON body, a query and a path parameter', async () => {
    const ok = json(z.object({}), 'ok')
    const app = routesOf()
      .openapi(
        createRoute({
          method: 'post',
          path: '/j',
          request: { body: jsonBody(z.object({ name: z.string() })) },
          responses: { 200: json(z.object({ name: z.string() }), 'echo') },
        }),
        (c) => c.json(c.req.valid('json'), 200),
      )
      .openapi(
        createRoute({
          method: 'get',
          path: '/q/{id}',
          request: { params: z.object({ id: z.string() }), query: z.object({ s: z.string().optional() }) },
          responses: { 200: ok },
        }),
        (c) => c.json({}, 200),
      )
    app.onError((e, c) =>
      e instanceof HttpError ? c.json({ code: e.code, details: e.details }, e.status) : c.json({ code: 'INTERNAL' }, 500),
    )
    const body = await app.request('/j', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'a\u0000b' }),
    })
    expect(body.status).toBe(400)
    expect(await body.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'name' }] })
    const wrongType = await app.request('/j', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 1 }),
    })
    expect(await wrongType.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'name' }] })
    expect((await app.request('/q/x?s=a%00b')).status).toBe(400)
    expect((await app.request('/q/a%00b')).status).toBe(400)
    expect((await app.request('/q/ok?s=fine')).status).toBe(200)
    const fine = await app.request('/j', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ω 日本 😀' }),
    })
    expect(fine.status).toBe(200)
  })
})
