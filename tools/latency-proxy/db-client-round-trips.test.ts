import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDb, type DbHandle } from '../../src/platform/db.ts'
import { startLatencyProxy, type LatencyProxy } from './proxy.ts'

/** What the app's own database client costs per statement, counted by the proxy (docs/round-trips.md). */
describe('connectDb through the counting proxy', () => {
  let proxy: LatencyProxy
  let handle: DbHandle
  beforeAll(async () => {
    const pg = new URL(process.env['TEST_PG_URL'] ?? 'postgres://postgres:postgres@127.0.0.1:5432')
    proxy = await startLatencyProxy({ protocol: 'postgres', target: { host: pg.hostname, port: Number(pg.port || 5432) } })
    handle = connectDb(`postgres://postgres:postgres@127.0.0.1:${proxy.port}/postgres`, { max: 1 })
  })
  afterAll(async () => {
    await handle.close()
    await proxy.close()
  })

  it('runs a drizzle statement prepared: 2 round trips new to the connection, 1 once warm', async () => {
    const query = (n: number) => handle.db.execute(sql`select ${n}::int as n`)
    proxy.reset()
    await query(1)
    expect(proxy.counters()).toMatchObject({ statements: 1, roundTrips: 2 })
    proxy.reset()
    expect(await query(2)).toEqual([{ n: 2 }])
    expect(proxy.counters()).toMatchObject({ statements: 1, roundTrips: 1 })
  })

  it('keeps the simple protocol for a statement without parameters: 1 round trip', async () => {
    proxy.reset()
    await handle.db.execute(sql`select 1 as one`)
    expect(proxy.counters()).toMatchObject({ statements: 1, roundTrips: 1 })
  })
})
