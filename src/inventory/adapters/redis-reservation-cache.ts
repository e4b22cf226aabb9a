import type { Redis } from '@upstash/redis'
import type { Logger } from '../../platform/logger.ts'
import type { StockLine } from '../domain/reservation.ts'
import type { ReservationCache } from '../ports.ts'

/** `reservation:{orderId}` with the reservation's own TTL; failures are logged and ignored. */
export class RedisReservationCache implements ReservationCache {
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  async put(orderId: string, lines: readonly StockLine[], until: Date): Promise<void> {
    const ttl = Math.ceil((until.getTime() - Date.now()) / 1000)
    if (ttl <= 0) return
    try {
      await this.redis.set(`reservation:${orderId}`, JSON.stringify({ lines, reserved_until: until.toISOString() }), { ex: ttl })
    } catch (e) {
      this.logger.warn('reservation cache write failed', { order_id: orderId, error: String(e) })
    }
  }

  async clear(orderId: string): Promise<void> {
    try {
      await this.redis.del(`reservation:${orderId}`)
    } catch (e) {
      this.logger.warn('reservation cache clear failed', { order_id: orderId, error: String(e) })
    }
  }
}
