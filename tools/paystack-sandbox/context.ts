/** What every handler of one sandbox instance shares. */
import type { FaultPlan } from '../shared/http-kit.ts'
import type { Store } from './store.ts'
import type { Timers } from './timers.ts'
import type { Webhooks } from './webhooks.ts'

export interface SandboxContext {
  readonly secretKey: string
  readonly publicKey: string
  /** `live` for an sk_live_ key, otherwise `test`; echoed in every object as Paystack does. */
  readonly domain: 'test' | 'live'
  /** The merchant's integration id, as in refund objects and events. */
  readonly integration: number
  /** Base of authorization_url; set once the server listens unless given as an option. */
  publicUrl: string
  readonly refundDelayMs: number
  readonly now: () => number
  readonly log: (line: string) => void
  readonly store: Store
  readonly webhooks: Webhooks
  /** Scheduled refund transitions, keyed by refund id. */
  readonly refundTimers: Timers
  readonly faults: FaultPlan
}
