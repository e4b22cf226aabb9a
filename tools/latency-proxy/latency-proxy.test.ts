import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxyControl } from './control.ts'
import { startLatencyProxy, type LatencyProxy } from './proxy.ts'

const PG = new URL(process.env['TEST_PG_URL'] ?? 'postgres://postgres:postgres@127.0.0.1:5432')

describe('latency proxy in front of the real Postgres', () => {
  let proxy: LatencyProxy
  let sql: postgres.Sql
  beforeAll(async () => {
    proxy = await startLatencyProxy({ protocol: 'postgres', target: { host: PG.hostname, port: Number(PG.port || 5432) } })
    sql = postgres({
      host: '127.0.0.1',
      port: proxy.port,
      user: 'postgres',
      password: 'postgres',
      database: 'postgres',
      max: 1,
      prepare: true,
      fetch_types: false,
      onnotice: () => {},
    })
  })
  afterAll(async () => {
    await sql.end()
    await proxy.close()
  })

  it('leaves start-up out and counts a cold parameterised statement as 1 statement in 2 round trips', async () => {
    proxy.reset()
    await sql`select ${1}::int as one`
    expect(proxy.counters()).toMatchObject({ connections: 1, statements: 1, roundTrips: 2 })
  })

  it('counts the same statement prepared on a warm connection as 1 round trip', async () => {
    proxy.reset()
    await sql`select ${1}::int as one`
    expect(proxy.counters()).toMatchObject({ connections: 0, statements: 1, roundTrips: 1 })
  })

  it('counts BEGIN and COMMIT as statements and round trips of their own', async () => {
    await sql`select ${2}::int as two` // warm it
    proxy.reset()
    await sql.begin(async (tx) => {
      await tx`select ${1}::int as one`
      await tx`select ${2}::int as two`
    })
    const c = proxy.counters()
    expect(c.statements).toBe(4)
    expect(c.roundTrips).toBe(4)
  })

  it('adds the delay in each direction: a warm statement costs one added RTT', async () => {
    proxy.setDelay(25)
    try {
      const started = performance.now()
      await sql`select ${1}::int as one`
      const took = performance.now() - started
      expect(took).toBeGreaterThanOrEqual(48) // Node timers may fire a millisecond early
      expect(took).toBeLessThan(50 + 200)
    } finally {
      proxy.setDelay(0)
    }
  })
})

describe('latency proxy in front of an HTTP server, with its control endpoint', () => {
  it('counts one call per request on a kept-alive connection and answers the control API', async () => {
    const server = createServer((_req, res) => res.end('ok'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const proxy = await startLatencyProxy({ protocol: 'http', target: { host: '127.0.0.1', port: (server.address() as AddressInfo).port } })
    const control = await startProxyControl(0, { redis: proxy })
    try {
      for (let i = 0; i < 3; i++)
        expect(await (await fetch(`http://127.0.0.1:${proxy.port}/`, { method: 'POST', body: 'x'.repeat(100_000) })).text()).toBe('ok')
      const counters = (await (await fetch(`${control.url}/counters`)).json()) as Record<string, unknown>
      expect(counters.redis).toMatchObject({ roundTrips: 3, statements: 3, delayMs: 0 })
      expect((await fetch(`${control.url}/delay`, { method: 'POST', body: JSON.stringify({ ms: -1 }) })).status).toBe(400)
      expect((await fetch(`${control.url}/delay`, { method: 'POST', body: JSON.stringify({ ms: 5 }) })).status).toBe(200)
      expect(proxy.delay()).toBe(5)
      await fetch(`${control.url}/reset`, { method: 'POST' })
      expect(proxy.counters()).toMatchObject({ roundTrips: 0, connections: 0 })
    } finally {
      await control.close()
      await proxy.close()
      server.close()
    }
  })
})
