/** What every handler of one sandbox instance shares. */
import type { FaultPlan } from '../shared/http-kit.ts'
import type { Notifications } from './notifications.ts'
import type { NonceCache, OpaCredentials } from './opa-auth.ts'
import type { RateLimiter } from './rate-limit.ts'
import type { RequestLog } from './request-log.ts'
import type { Store } from './store.ts'

/** How a re-sent Give / Reverse with an already used id is answered (README: idempotency). */
export type DuplicateMode = 'replay' | 'reject'

export interface SandboxContext {
  readonly creds: OpaCredentials
  /** Where cashback result notifications go; unset = none are sent. */
  readonly notificationUrl: string | undefined
  /** Base of linkQRCodeURL; set once the server listens unless given as an option. */
  publicUrl: string
  readonly settleDelayMs: number
  /** How long Check Cashback Details answers TRANSACTION_NOT_FOUND after an accepted Give. */
  readonly visibilityDelayMs: number
  readonly duplicates: DuplicateMode
  readonly now: () => number
  readonly log: (line: string) => void
  readonly store: Store
  readonly nonces: NonceCache
  readonly notifications: Notifications
  readonly faults: FaultPlan
  readonly requests: RequestLog
  readonly rateLimit: RateLimiter
  /** The rateLimitPerSecond option, restored by reset. */
  readonly rateLimitPerSecond: number
  /** Pending automatic settlements (real-time timers; the clock decides whether one is due). */
  readonly timers: Set<NodeJS.Timeout>
  /** While on, every API call answers 503 MAINTENANCE_MODE. */
  maintenance: boolean
  /** Give calls still to be "lost": processed, but the client only sees a dropped connection. */
  loseGive: { times: number; delayMs: number } | undefined
}
