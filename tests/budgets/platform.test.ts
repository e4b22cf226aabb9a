import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { measure, recordBudget } from './round-trips.ts'

describe('platform round trips', () => {
  it('GET /health: 1 statement and 1 Redis call', async () => {
    const { result, settled } = await measure(async () => {
      const res = await SELF.fetch('http://worker.test/health')
      return { status: res.status, body: await res.json() }
    })
    expect(result.status).toBe(200)
    recordBudget('GET /health', settled)
    expect(settled.statements).toBe(1)
    expect(settled.redisCalls).toBe(1)
    expect(settled.roundTrips).toBeLessThanOrEqual(2 * settled.statements)
  })

  it('an unknown route touches neither Postgres nor Redis', async () => {
    const { result, settled } = await measure(async () => (await SELF.fetch('http://worker.test/no-such-route')).status)
    expect(result).toBe(404)
    recordBudget('GET (unknown route)', settled)
    expect(settled).toMatchObject({ statements: 0, connections: 0, redisCalls: 0 })
  })
})
