import type { Redis } from '@upstash/redis'
import type { Logger } from '../../shared/logger.ts'
import type { PaymentIntentCache } from '../ports.ts'

/** `payment_intent:{orderId}` (seed step 7). Postgres holds the record, so failures only log. */
export class RedisPaymentIntentCache implements PaymentIntentCache {
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  async get(orderId: string) {
    try {
      return await this.redis.get<{ reference: string; authorizationUrl: string }>(`payment_intent:${orderId}`)
    } catch (e) {
      this.logger.warn('payment intent cache read failed', { order_id: orderId, error: String(e) })
      return null
    }
  }

  async put(orderId: string, intent: { reference: string; authorizationUrl: string }, ttlSeconds: number) {
    try {
      await this.redis.set(`payment_intent:${orderId}`, JSON.stringify(intent), { ex: ttlSeconds })
    } catch (e) {
      this.logger.warn('payment intent cache write failed', { order_id: orderId, error: String(e) })
    }
  }

  async clear(orderId: string) {
    try {
      await this.redis.del(`payment_intent:${orderId}`)
    } catch (e) {
      this.logger.warn('payment intent cache clear failed', { order_id: orderId, error: String(e) })
    }
  }
}
