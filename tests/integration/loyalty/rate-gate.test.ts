import { env } from 'cloudflare:test'
import { Redis } from '@upstash/redis'
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { RedisRateGate } from '../../../src/loyalty/adapters/redis-rate-gate.ts'
import { uniq } from '../helpers.ts'
import { execSql } from './support.ts'

/** The shared PayPay pacing (Redis, so every isolate and instance counts together). */
const e = env as unknown as Record<string, string>
const redis = () => new Redis({ url: e['UPSTASH_REDIS_REST_URL']!, token: e['UPSTASH_REDIS_REST_TOKEN']!, enableTelemetry: false })

describe('PayPay rate gate', () => {
  it('never lets more than the configured calls per second through, across concurrent callers', async () => {
    const gate = new RedisRateGate(redis(), 3, `test:paypay-rate:${uniq()}`)
    const waits = await Promise.all(Array.from({ length: 8 }, () => gate.tryAcquire()))
    expect(waits.filter((w) => w === 0)).toHaveLength(3)
    for (const w of waits.filter((w) => w > 0)) expect(w).toBeLessThanOrEqual(1100)
    expect(await gate.acquire(0)).toBe(false)
  })

  it('a 429 pauses every caller for the backoff', async () => {
    const key = `test:paypay-rate:${uniq()}`
    const gate = new RedisRateGate(redis(), 100, key)
    expect(await gate.tryAcquire()).toBe(0)
    await gate.pause(30_000)
    const other = new RedisRateGate(redis(), 100, key)
    expect(await other.tryAcquire()).toBeGreaterThan(20_000)
    // A shorter pause never shortens a longer one.
    await other.pause(10)
    expect(await gate.tryAcquire()).toBeGreaterThan(20_000)
  })
})

describe('ledger invariant', () => {
  it('every balance equals the sum of its ledger entries, and none is negative', async () => {
    const broken = await execSql(sql`
      select a.user_id, a.balance, coalesce(sum(l.points), 0)::int as ledger_sum
      from points_accounts a left join points_ledger l on l.user_id = a.user_id
      group by a.user_id, a.balance
      having a.balance <> coalesce(sum(l.points), 0) or a.balance < 0`)
    expect(broken).toEqual([])
    const orphans = await execSql(
      sql`select distinct user_id from points_ledger where user_id not in (select user_id from points_accounts)`,
    )
    expect(orphans).toEqual([])
  })
})
