/** What every handler of one sandbox instance shares. */
import type { FaultPlan } from '../shared/http-kit.ts'
import type { Callbacks } from './callbacks.ts'
import type { Store } from './store.ts'

export interface SandboxContext {
  readonly appId: number
  readonly key1: string
  readonly key2: string
  /** The app's "registered" callback URL, used when an order carries no callback_url. */
  readonly callbackUrl: string | undefined
  /** Base of order_url; set once the server listens unless given as an option. */
  publicUrl: string
  readonly refundDelayMs: number
  readonly now: () => number
  readonly log: (line: string) => void
  readonly store: Store
  readonly callbacks: Callbacks
  readonly faults: FaultPlan
}
