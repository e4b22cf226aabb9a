import type { Redis } from '@upstash/redis'
import { guarded } from '../../platform/dependency.ts'
import type { Email } from '../domain/user.ts'
import type { LoginThrottle, ThrottleState } from '../ports.ts'

export interface LoginThrottleLimits {
  readonly perAccount: number
  readonly perIp: number
  readonly windowSeconds: number
}

export const DEFAULT_LOGIN_LIMITS: LoginThrottleLimits = { perAccount: 5, perIp: 30, windowSeconds: 15 * 60 }

/**
 * Fixed windows opened by the first attempt (EXPIRE NX: later attempts never extend them). Every
 * attempt is counted up front, so a burst of parallel guesses is limited like a sequential one; a
 * successful login gives its attempt back. Redis errors propagate (fail closed: 503).
 */
export class RedisLoginThrottle implements LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly limits: LoginThrottleLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  private keys(email: Email, ip: string) {
    return { account: `login:attempts:account:${email}`, ip: `login:attempts:ip:${ip}` }
  }

  async begin(email: Email, ip: string): Promise<ThrottleState> {
    const k = this.keys(email, ip)
    const w = this.limits.windowSeconds
    const [account, , ipCount, , accountTtl, ipTtl] = await guarded('redis', () =>
      this.redis
        .multi()
        .incr(k.account)
        .expire(k.account, w, 'NX')
        .incr(k.ip)
        .expire(k.ip, w, 'NX')
        .ttl(k.account)
        .ttl(k.ip)
        .exec<[number, number, number, number, number, number]>(),
    )
    if (account > this.limits.perAccount) return { allowed: false, retryAfterSeconds: accountTtl > 0 ? accountTtl : w }
    if (ipCount > this.limits.perIp) return { allowed: false, retryAfterSeconds: ipTtl > 0 ? ipTtl : w }
    return { allowed: true }
  }

  async succeeded(email: Email, ip: string): Promise<void> {
    const k = this.keys(email, ip)
    await guarded('redis', () => this.redis.multi().decr(k.account).decr(k.ip).exec())
  }
}
