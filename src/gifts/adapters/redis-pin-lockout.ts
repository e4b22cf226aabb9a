import type { Redis } from '@upstash/redis'
import { guarded } from '../../platform/dependency.ts'
import type { SupplierCode } from '../domain/supplier.ts'
import type { LockoutState, PinLockout } from '../ports.ts'

/**
 * Fixed window per supplier: the first wrong PIN opens a 15-minute window; once it holds `limit`
 * failures every attempt is refused until the key expires. Redis errors propagate (fail closed).
 */
export class RedisPinLockout implements PinLockout {
  constructor(
    private readonly redis: Redis,
    private readonly limit = 5,
    private readonly windowSeconds = 15 * 60,
  ) {}

  private key(code: SupplierCode): string {
    return `gifts:pin-failures:${code}`
  }

  async state(code: SupplierCode): Promise<LockoutState> {
    const [count, ttl] = await guarded('redis', () =>
      this.redis.pipeline().get<number>(this.key(code)).ttl(this.key(code)).exec<[number | null, number]>(),
    )
    if (count === null || Number(count) < this.limit) return { locked: false }
    return { locked: true, retryAfterSeconds: ttl > 0 ? ttl : this.windowSeconds }
  }

  async recordFailure(code: SupplierCode): Promise<void> {
    // INCR and the NX expiry go together so a crash between them cannot leave a counter that never expires.
    await guarded('redis', () =>
      this.redis.multi().incr(this.key(code)).expire(this.key(code), this.windowSeconds, 'NX').exec(),
    )
  }
}
