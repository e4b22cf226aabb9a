import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUpstashRedisDev, type UpstashRedisDev } from './server.ts'

/** Drives the dev server with the official client, both response encodings, against real Redis. */
let server: UpstashRedisDev
const prefix = `test:upstash-dev:${Math.random().toString(36).slice(2)}:`

beforeAll(async () => {
  server = await startUpstashRedisDev({ port: 0, token: 'tok' })
})
afterAll(async () => {
  const raw = new Redis({ url: server.url, token: 'tok', enableTelemetry: false })
  const keys = await raw.keys(`${prefix}*`)
  if (keys.length) await raw.del(...keys)
  await server.close()
})

for (const responseEncoding of ['base64', false] as const) {
  describe(`official client, responseEncoding=${String(responseEncoding)}`, () => {
    const client = () => new Redis({ url: server.url, token: 'tok', responseEncoding, enableTelemetry: false })
    const k = (s: string) => `${prefix}${String(responseEncoding)}:${s}`

    it('round-trips strings, unicode, JSON objects and null', async () => {
      const r = client()
      expect(await r.set(k('s'), 'héllo ✓ 日本')).toBe('OK')
      expect(await r.get(k('s'))).toBe('héllo ✓ 日本')
      await r.set(k('j'), { a: 1, b: ['x', null] })
      expect(await r.get(k('j'))).toEqual({ a: 1, b: ['x', null] })
      expect(await r.get(k('missing'))).toBeNull()
    })

    it('honours expiry options and NX', async () => {
      const r = client()
      await r.set(k('e'), 'v', { ex: 100 })
      const ttl = await r.ttl(k('e'))
      expect(ttl).toBeGreaterThan(90)
      expect(await r.set(k('e'), 'w', { nx: true })).toBeNull()
      expect(await r.expire(k('e'), 500, 'GT')).toBe(1)
    })

    it('hashes, counters and 200 concurrent INCRs', async () => {
      const r = client()
      await r.hset(k('h'), { f1: 'v1', f2: 2 })
      expect(await r.hgetall(k('h'))).toEqual({ f1: 'v1', f2: 2 })
      await Promise.all(Array.from({ length: 200 }, () => r.incr(k('n'))))
      expect(await r.get(k('n'))).toBe(200)
    })

    it('pipeline and multi/exec', async () => {
      const r = client()
      const p = await r.pipeline().set(k('p'), 'a').get(k('p')).incr(k('pc')).exec()
      expect(p).toEqual(['OK', 'a', 1])
      const m = await r.multi().incr(k('m')).expire(k('m'), 60, 'NX').ttl(k('m')).exec()
      expect(m[0]).toBe(1)
      expect(m[1]).toBe(1)
      expect(m[2]).toBeGreaterThan(50)
    })

    it('EVAL returns numbers and strings', async () => {
      const r = client()
      const out = await r.eval<[string], [number, string]>("return {tonumber(ARGV[1]) + 1, 'done ✓'}", [], ['41'])
      expect(out).toEqual([42, 'done ✓'])
    })

    it('surfaces Redis errors as client errors', async () => {
      const r = client()
      await r.set(k('str'), 'x')
      await expect(r.incr(k('str'))).rejects.toThrow(/not an integer/)
    })
  })
}

describe('protocol edges', () => {
  it('refuses a wrong token with 401 (and the client throws)', async () => {
    const res = await fetch(`${server.url}/`, { method: 'POST', headers: { authorization: 'Bearer nope' }, body: '["PING"]' })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: 'Unauthorized' })
    await expect(new Redis({ url: server.url, token: 'nope', enableTelemetry: false }).ping()).rejects.toThrow(/Unauthorized/)
  })

  it('supports the path form and answers Upstash-shaped errors', async () => {
    const auth = { authorization: 'Bearer tok' }
    const set = await fetch(`${server.url}/set/${encodeURIComponent(prefix + 'path')}/v1`, { headers: auth })
    expect(await set.json()).toEqual({ result: 'OK' })
    const get = await fetch(`${server.url}/get/${encodeURIComponent(prefix + 'path')}`, { headers: auth })
    expect(await get.json()).toEqual({ result: 'v1' })
    const bad = await fetch(`${server.url}/`, { method: 'POST', headers: auth, body: '{"not":"a command"}' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toMatch(/^ERR/)
    const unknown = await fetch(`${server.url}/`, { method: 'POST', headers: auth, body: '["NOSUCHCMD"]' })
    expect(unknown.status).toBe(400)
    const blocking = await fetch(`${server.url}/`, { method: 'POST', headers: auth, body: '["BLPOP","x","0"]' })
    expect(((await blocking.json()) as { error: string }).error).toMatch(/not supported/)
  })

  it('fails to start when Redis is unreachable', async () => {
    await expect(startUpstashRedisDev({ port: 0, redisUrl: 'redis://127.0.0.1:1' })).rejects.toThrow()
  })
})

describe('outage control (chaos tests)', () => {
  const faults = (method: string, body?: unknown) =>
    fetch(`${server.url}/__control/faults`, { method, ...(body !== undefined && { body: JSON.stringify(body) }) })
  const client = () => new Redis({ url: server.url, token: 'tok', enableTelemetry: false, retry: false })

  it('down answers every REST call with 503 (or drops it) until restored; health stays up', async () => {
    const key = `${prefix}outage`
    await client().set(key, 'before')
    expect((await faults('POST', { down: true })).status).toBe(200)
    await expect(client().get(key)).rejects.toThrow()
    const raw = await fetch(`${server.url}/get/${key}`, { headers: { authorization: 'Bearer tok' } })
    expect(raw.status).toBe(503)
    expect((await fetch(`${server.url}/__health`)).status).toBe(200)
    await faults('POST', { down: true, mode: 'reset' })
    await expect(fetch(`${server.url}/get/${key}`, { headers: { authorization: 'Bearer tok' } })).rejects.toThrow()
    await faults('DELETE')
    expect(await client().get(key)).toBe('before')
  })

  it('refuses a malformed plan', async () => {
    expect((await faults('POST', { down: 'yes' })).status).toBe(400)
    expect((await faults('POST', { down: true, mode: 'sometimes' })).status).toBe(400)
    expect((await faults('PUT', {})).status).toBe(405)
  })
})
