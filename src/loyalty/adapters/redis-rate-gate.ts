import type { Redis } from '@upstash/redis'
import { guarded } from '../../platform/dependency.ts'
import { ulid } from '../../shared/ids.ts'
import type { RateGate } from './paypay-client.ts'

// A sliding one-second log of calls (sorted set) plus a pause-until key set on 429. Redis's own
// clock decides, so every isolate and instance shares one limit and one notion of "now".
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return paused - now end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`

const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], tostring(untilMs), 'PX', tonumber(ARGV[1])) end
return untilMs
`

/**
 * At most `perSecond` PayPay calls in any sliding second, across every instance of the service,
 * and none at all while a 429's backoff lasts. The window is padded a little so that calls
 * spaced just right here are not bunched up by network jitter on PayPay's side.
 */
export class RedisRateGate implements RateGate {
  private readonly windowMs: number

  constructor(
    private readonly redis: Redis,
    private readonly perSecond: number,
    private readonly key = 'paypay:rate',
    opts: { windowMs?: number } = {},
  ) {
    this.windowMs = opts.windowMs ?? 1100
  }

  /** Ms to wait before a slot is free (0 = a slot was taken now). */
  async tryAcquire(): Promise<number> {
    if (this.perSecond <= 0) return 0
    const wait = await guarded('redis', () =>
      this.redis.eval<[string, string, string], number>(
        ACQUIRE,
        [`${this.key}:log`, `${this.key}:pause`],
        [String(this.windowMs), String(this.perSecond), ulid()],
      ),
    )
    return Number(wait)
  }

  async acquire(maxWaitMs: number): Promise<boolean> {
    const deadline = Date.now() + maxWaitMs
    for (;;) {
      const wait = await this.tryAcquire()
      if (wait === 0) return true
      if (Date.now() + wait > deadline) return false
      await new Promise((r) => setTimeout(r, wait + Math.floor(Math.random() * 20)))
    }
  }

  async pause(ms: number): Promise<void> {
    await guarded('redis', () => this.redis.eval<[string], number>(PAUSE, [`${this.key}:pause`], [String(Math.max(1, Math.ceil(ms)))]))
  }
}
