import type { Redis } from '@upstash/redis'
import type { Logger } from '../../platform/logger.ts'
import type { CatalogCache } from '../ports.ts'

const GENERATION_KEY = 'catalog:generation'
const TTL_SECONDS = 30

// One call each: the generation lookup and the read or write of the entry happen inside Redis.
const GET_ENTRY = `local g = redis.call('GET', KEYS[1]) or '0' return redis.call('GET', 'catalog:' .. g .. ':' .. ARGV[1])`
const SET_ENTRY = `local g = redis.call('GET', KEYS[1]) or '0' redis.call('SET', 'catalog:' .. g .. ':' .. ARGV[1], ARGV[2], 'EX', ARGV[3]) return 1`

/**
 * Keys carry a generation number and invalidation bumps it, so one INCR drops every cached page at
 * once; a read or a write is one call (a script looks the generation up). Redis being down only
 * costs speed: reads fall through to Postgres (README "Redis down").
 */
export class RedisCatalogCache implements CatalogCache {
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  async get<T>(key: string): Promise<T | null> {
    try {
      const hit = await this.redis.eval<[string], unknown>(GET_ENTRY, [GENERATION_KEY], [key])
      if (hit === null || hit === undefined) return null
      return (typeof hit === 'string' ? JSON.parse(hit) : hit) as T
    } catch (e) {
      this.logger.warn('catalog cache read failed; reading from Postgres', { error: String(e) })
      return null
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    try {
      await this.redis.eval(SET_ENTRY, [GENERATION_KEY], [key, JSON.stringify(value), String(TTL_SECONDS)])
    } catch (e) {
      this.logger.warn('catalog cache write failed', { error: String(e) })
    }
  }

  async invalidate(): Promise<void> {
    try {
      await this.redis.incr(GENERATION_KEY)
    } catch (e) {
      // Entries expire within TTL_SECONDS anyway; a failed bump only delays the refresh.
      this.logger.warn('catalog cache invalidation failed', { error: String(e) })
    }
  }
}
