import type { Redis } from '@upstash/redis'
import type { Logger } from '../../platform/logger.ts'
import type { CatalogCache } from '../ports.ts'

const GENERATION_KEY = 'catalog:generation'
const TTL_SECONDS = 30

/**
 * Keys carry a generation number and invalidation bumps it, so one INCR drops every cached page at
 * once. Redis being down only costs speed: reads fall through to Postgres (README "Redis down").
 */
export class RedisCatalogCache implements CatalogCache {
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  async get<T>(key: string): Promise<T | null> {
    try {
      const generation = (await this.redis.get<number>(GENERATION_KEY)) ?? 0
      return await this.redis.get<T>(`catalog:${generation}:${key}`)
    } catch (e) {
      this.logger.warn('catalog cache read failed; reading from Postgres', { error: String(e) })
      return null
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    try {
      const generation = (await this.redis.get<number>(GENERATION_KEY)) ?? 0
      await this.redis.set(`catalog:${generation}:${key}`, JSON.stringify(value), { ex: TTL_SECONDS })
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
