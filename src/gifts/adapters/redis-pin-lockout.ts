import type { Redis } from '@upstash/redis'
import { guarded } from '../../platform/dependency.ts'
import type { SupplierCode } from '../domain/supplier.ts'
import type { LockoutState, PinLockout } from '../ports.ts'

/**
 * Two counters per supplier. Failures: the first wrong PIN opens a 15-minute window (EXPIRE NX, so
 * later failures never extend it). In flight: attempts being verified right now, with a short TTL
 * so a crashed attempt cannot hold a slot for long. An attempt is refused when the window already
 * holds `limit` failures, or when failures plus attempts in flight exceed `limit + maxInFlight`.
 * Redis errors propagate as DependencyUnavailable (fail closed).
 */
export class RedisPinLockout implements PinLockout {
  constructor(
    private readonly redis: Redis,
    private readonly limit = 5,
    private readonly windowSeconds = 15 * 60,
    private readonly maxInFlight = 50,
  ) {}

  private keys(code: SupplierCode) {
    return { failures: `gifts:pin-failures:${code}`, inFlight: `gifts:pin-in-flight:${code}` }
  }

  async reserve(code: SupplierCode): Promise<LockoutState> {
    const k = this.keys(code)
    const [inFlight, , failures, ttl] = await guarded('redis', () =>
      this.redis
        .multi()
        .incr(k.inFlight)
        .expire(k.inFlight, 60)
        .get<number>(k.failures)
        .ttl(k.failures)
        .exec<[number, number, number | null, number]>(),
    )
    const failed = Number(failures ?? 0)
    if (failed < this.limit && failed + inFlight <= this.limit + this.maxInFlight) return { locked: false }
    await guarded('redis', () => this.redis.decr(k.inFlight))
    return { locked: true, retryAfterSeconds: ttl > 0 ? ttl : this.windowSeconds }
  }

  async settle(code: SupplierCode, pinWasCorrect: boolean): Promise<void> {
    const k = this.keys(code)
    const tx = this.redis.multi().decr(k.inFlight)
    if (!pinWasCorrect) tx.incr(k.failures).expire(k.failures, this.windowSeconds, 'NX')
    await guarded('redis', () => tx.exec())
  }
}
