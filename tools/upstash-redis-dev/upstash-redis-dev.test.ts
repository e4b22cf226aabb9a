import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUpstashRedisDev, type UpstashRedisDev } from './server.ts'

/**
 * Drives the dev server with the official client, both response encodings, against each engine:
 * the real Redis and the embedded in-process one that `npm run dev` uses when no Redis answers.
 * The same expectations hold for both (so the real Redis checks the expectations themselves).
 */
const engines = ['redis', 'embedded'] as const
const servers = {} as Record<(typeof engines)[number], UpstashRedisDev>
let server: UpstashRedisDev
const prefix = `test:upstash-dev:${Math.random().toString(36).slice(2)}:`

beforeAll(async () => {
  for (const engine of engines) servers[engine] = await startUpstashRedisDev({ port: 0, token: 'tok', engine })
  server = servers.redis
})
afterAll(async () => {
  const raw = new Redis({ url: servers.redis.url, token: 'tok', enableTelemetry: false })
  const keys = await raw.keys(`${prefix}*`)
  if (keys.length) await raw.del(...keys)
  for (const s of Object.values(servers)) await s.close()
})

describe.each(engines)('engine %s', (engine) => {
  const url = () => servers[engine].url
  it('reports which engine it runs on', async () => {
    expect(servers[engine].engine).toBe(engine)
    expect(await (await fetch(`${url()}/__health`)).json()).toEqual({ ok: true, backend: engine })
  })

  describe.each(['base64', false] as const)('official client, responseEncoding=%s', (responseEncoding) => {
    const client = () => new Redis({ url: url(), token: 'tok', responseEncoding, enableTelemetry: false })
    const k = (s: string) => `${prefix}${engine}:${String(responseEncoding)}:${s}`

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
      expect(await r.expire(k('e'), 50, 'GT')).toBe(0)
      // NX: a window already open is never extended (the login throttle and PIN lockout rely on it).
      expect(await r.expire(k('e'), 900, 'NX')).toBe(0)
      expect(await r.ttl(k('e'))).toBeLessThanOrEqual(500)
      await r.set(k('e2'), 'v')
      expect(await r.expire(k('e2'), 60, 'XX')).toBe(0)
      expect(await r.expire(k('e2'), 60, 'NX')).toBe(1)
      expect(await r.pexpire(k('e2'), 30_000, 'LT')).toBe(1)
      expect(await r.pttl(k('e2'))).toBeLessThanOrEqual(30_000)
      expect(await r.expire(k('missing'), 60, 'NX')).toBe(0)
    })

    it('hashes, counters and 200 concurrent INCRs', async () => {
      const r = client()
      await r.hset(k('h'), { f1: 'v1', f2: 2 })
      expect(await r.hgetall(k('h'))).toEqual({ f1: 'v1', f2: 2 })
      expect(await r.hgetall(k('no-hash'))).toBeNull()
      expect(await r.hincrby(k('h'), 'f2', 3)).toBe(5)
      await Promise.all(Array.from({ length: 200 }, () => r.incr(k('n'))))
      expect(await r.get(k('n'))).toBe(200)
      expect(await r.decrby(k('n'), 50)).toBe(150)
    })

    it('pipeline and multi/exec', async () => {
      const r = client()
      const p = await r.pipeline().set(k('p'), 'a').get(k('p')).incr(k('pc')).exec()
      expect(p).toEqual(['OK', 'a', 1])
      const m = await r.multi().incr(k('m')).expire(k('m'), 60, 'NX').ttl(k('m')).exec()
      expect(m[0]).toBe(1)
      expect(m[1]).toBe(1)
      expect(m[2]).toBeGreaterThan(50)
      const again = await r.multi().incr(k('m')).expire(k('m'), 600, 'NX').exec()
      expect(again).toEqual([2, 0])
    })

    it('EVAL returns numbers and strings, and scripts call Redis', async () => {
      const r = client()
      const out = await r.eval<[string], [number, string]>("return {tonumber(ARGV[1]) + 1, 'done ✓'}", [], ['41'])
      expect(out).toEqual([42, 'done ✓'])
      await r.hset(k('cart'), { rev: 'r1' })
      const del = "if redis.call('HGET', KEYS[1], 'rev') == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
      expect(await r.eval(del, [k('cart')], ['r0'])).toBe(0)
      expect(await r.eval(del, [k('cart')], ['r1'])).toBe(1)
      const set = "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return redis.call('GET', KEYS[1])"
      expect(await r.eval(set, [k('lua')], ['"v"', '60'])).toBe('v')
      expect(await r.ttl(k('lua'))).toBeGreaterThan(50)
    })

    it('surfaces Redis errors as client errors', async () => {
      const r = client()
      await r.set(k('str'), 'x')
      await expect(r.incr(k('str'))).rejects.toThrow(/not an integer/)
      expect(await r.get(k('str'))).toBe('x')
      await r.hset(k('hash'), { f: 'v' })
      await expect(r.get(k('hash'))).rejects.toThrow(/WRONGTYPE/)
      await expect(r.incr(k('hash'))).rejects.toThrow(/WRONGTYPE/)
      const p = await r.pipeline().incr(k('str')).get(k('str')).exec({ keepErrors: true })
      expect(p[0]!.error).toMatch(/not an integer/)
      expect(p[1]!.result).toBe('x')
    })
  })

  it('refuses a wrong token with 401 (and the client throws)', async () => {
    const res = await fetch(`${url()}/`, { method: 'POST', headers: { authorization: 'Bearer nope' }, body: '["PING"]' })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: 'Unauthorized' })
    await expect(new Redis({ url: url(), token: 'nope', enableTelemetry: false }).ping()).rejects.toThrow(/Unauthorized/)
  })

  it('supports the path form and answers Upstash-shaped errors', async () => {
    const auth = { authorization: 'Bearer tok' }
    const key = encodeURIComponent(`${prefix}${engine}:path`)
    const set = await fetch(`${url()}/set/${key}/v1`, { headers: auth })
    expect(await set.json()).toEqual({ result: 'OK' })
    const get = await fetch(`${url()}/get/${key}`, { headers: auth })
    expect(await get.json()).toEqual({ result: 'v1' })
    const bad = await fetch(`${url()}/`, { method: 'POST', headers: auth, body: '{"not":"a command"}' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toMatch(/^ERR/)
    const unknown = await fetch(`${url()}/`, { method: 'POST', headers: auth, body: '["NOSUCHCMD"]' })
    expect(unknown.status).toBe(400)
    expect(((await unknown.json()) as { error: string }).error).toMatch(/^ERR unknown command/)
    const blocking = await fetch(`${url()}/`, { method: 'POST', headers: auth, body: '["BLPOP","x","0"]' })
    expect(((await blocking.json()) as { error: string }).error).toMatch(/not supported/)
    const aborted = await fetch(`${url()}/multi-exec`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify([['INCR', `${prefix}${engine}:abort`], ['NOSUCHCMD']]),
    })
    expect(aborted.status).toBe(400)
    expect(((await aborted.json()) as { error: string }).error).toMatch(/^EXECABORT/)
    const untouched = await fetch(`${url()}/get/${encodeURIComponent(`${prefix}${engine}:abort`)}`, { headers: auth })
    expect(await untouched.json()).toEqual({ result: null })
  })
})

describe('real Redis engine', () => {
  it('fails to start when Redis is unreachable', async () => {
    await expect(startUpstashRedisDev({ port: 0, redisUrl: 'redis://127.0.0.1:1' })).rejects.toThrow(
      /cannot reach Redis at redis:\/\/127.0.0.1:1/,
    )
  })
})

describe('embedded engine', () => {
  it("keeps two servers' data apart", async () => {
    const other = await startUpstashRedisDev({ port: 0, token: 'tok', engine: 'embedded' })
    try {
      const key = `${prefix}apart`
      await new Redis({ url: servers.embedded.url, token: 'tok', enableTelemetry: false }).set(key, 'mine')
      expect(await new Redis({ url: other.url, token: 'tok', enableTelemetry: false }).get(key)).toBeNull()
    } finally {
      await other.close()
    }
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
