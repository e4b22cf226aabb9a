/**
 * Server-to-server callbacks (docs/protocols/zalopay.md): POST JSON {data, mac, type: 1} with
 * mac = hex HMAC-SHA256(key2, data). Only a HTTP 200 reply whose JSON has return_code 1 is an
 * ack; anything else is re-sent up to MAX_RESENDS times. Every attempt lands in a log that the
 * control API exposes, so tests can assert what the backend answered.
 */
import { sleep, type FaultPlan } from '../shared/http-kit.ts'
import { Outbox, type SentAttempt } from '../shared/outgoing.ts'
import { hmacHex } from './mac.ts'

/** "ZaloPay server will callback (at most 3 times)" — read here as three re-sends. */
export const MAX_RESENDS = 3
/** [INFERENCE] the real interval is undocumented; multiplied by callbackRetryScale. */
export const BASE_RETRY_INTERVAL_MS = 5_000
const ATTEMPT_TIMEOUT_MS = 10_000

export type DeliveryKind = 'payment' | 'replay' | 'custom'

export interface Delivery extends SentAttempt {
  kind: DeliveryKind
  app_trans_id: string | null
  suppressed?: boolean
}

interface Target {
  kind: DeliveryKind
  appTransId: string | null
  url: string
  body: string
}

export class Callbacks extends Outbox<Target, Delivery> {
  private readonly suppressedIds = new Set<string>()
  private readonly key2: string

  constructor(o: { key2: string; retryIntervalMs: number; faults: FaultPlan; now: () => number; log: (line: string) => void }) {
    super({
      ...o,
      operation: 'callback',
      timeoutMs: ATTEMPT_TIMEOUT_MS,
      isAck: (status, reply) => status === 200 && replyCode(reply) === 1,
      describe: (t, attempt) => ({
        fields: { kind: t.kind, app_trans_id: t.appTransId },
        label: `callback ${t.kind} #${attempt} ${t.appTransId ?? '-'}`,
      }),
    })
    this.key2 = o.key2
  }

  /** The wire body for a data string; JSON.stringify keeps `data` a string, as ZaloPay sends it. */
  envelope(data: string, mac = hmacHex(this.key2, data)): string {
    return JSON.stringify({ data, mac, type: 1 })
  }

  suppress(appTransId: string): void {
    this.suppressedIds.add(appTransId)
  }

  get suppressed(): string[] {
    return [...this.suppressedIds]
  }

  /**
   * Sends a payment callback. The first attempt is awaited so the payment page redirects only
   * after ZaloPay would have notified the merchant; re-sends run in the background.
   */
  async notifyPayment(appTransId: string, url: string | undefined, body: string): Promise<Delivery> {
    if (this.suppressedIds.has(appTransId) || !url) {
      const error = url ? 'suppressed by control call' : 'no callback URL: order has no callback_url and option callbackUrl is unset'
      return this.record({ kind: 'payment', appTransId, url: url ?? '', body }, 1, { error, suppressed: Boolean(url), acked: false })
    }
    return this.deliver({ kind: 'payment', appTransId, url, body }, 1, MAX_RESENDS)
  }

  /** One unretried delivery: replays (duplicates) and arbitrary signed callbacks. */
  sendOnce(kind: 'replay' | 'custom', appTransId: string | null, url: string, body: string): Promise<Delivery> {
    return this.deliver({ kind, appTransId, url, body }, 1, 0)
  }

  /** Resolves once nothing is in flight or waiting to be re-sent. */
  async drain(): Promise<void> {
    while (!this.idle) await sleep(5)
  }

  override reset(): void {
    super.reset()
    this.suppressedIds.clear()
  }
}

function replyCode(text: string): unknown {
  try {
    return (JSON.parse(text) as { return_code?: unknown }).return_code
  } catch {
    return undefined
  }
}
