/**
 * Server-to-server callbacks (gateways.md §2.5): POST JSON {data, mac, type: 1} with
 * mac = hex HMAC-SHA256(key2, data). Only a HTTP 200 reply whose JSON has return_code 1 is an
 * ack; anything else is re-sent up to MAX_RESENDS times. Every attempt lands in a log that the
 * control API exposes, so tests can assert what the backend answered.
 */
import { sleep, type FaultKind, type FaultPlan } from '../shared/http-kit.ts'
import { hmacHex } from './mac.ts'

/** "ZaloPay server will callback (at most 3 times)" — read here as three re-sends. */
export const MAX_RESENDS = 3
/** [INFERENCE] the real interval is undocumented; multiplied by callbackRetryScale. */
export const BASE_RETRY_INTERVAL_MS = 5_000
const ATTEMPT_TIMEOUT_MS = 10_000

export type DeliveryKind = 'payment' | 'replay' | 'custom'

export interface Delivery {
  id: number
  kind: DeliveryKind
  app_trans_id: string | null
  url: string
  /** 1 for the first send, 2.. for re-sends. */
  attempt: number
  at: number
  body: string
  status?: number
  reply?: string
  error?: string
  /** A callback fault consumed by this attempt. */
  fault?: FaultKind
  suppressed?: boolean
  acked: boolean
}

interface Target {
  kind: DeliveryKind
  appTransId: string | null
  url: string
  body: string
}

export class Callbacks {
  readonly log: Delivery[] = []
  private readonly suppressedIds = new Set<string>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private inFlight = 0
  private nextId = 1

  constructor(
    private readonly o: {
      key2: string
      retryIntervalMs: number
      faults: FaultPlan
      now: () => number
      log: (line: string) => void
    },
  ) {}

  /** The wire body for a data string; JSON.stringify keeps `data` a string, as ZaloPay sends it. */
  envelope(data: string, mac = hmacHex(this.o.key2, data)): string {
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
    return this.attempt({ kind: 'payment', appTransId, url, body }, 1, MAX_RESENDS)
  }

  /** One unretried delivery: replays (duplicates) and arbitrary signed callbacks. */
  sendOnce(kind: 'replay' | 'custom', appTransId: string | null, url: string, body: string): Promise<Delivery> {
    return this.attempt({ kind, appTransId, url, body }, 1, 0)
  }

  /** Resolves once nothing is in flight or waiting to be re-sent. */
  async drain(): Promise<void> {
    while (this.inFlight > 0 || this.timers.size > 0) await sleep(5)
  }

  reset(): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.log.length = 0
    this.suppressedIds.clear()
  }

  private async attempt(t: Target, attempt: number, resendsLeft: number): Promise<Delivery> {
    this.inFlight++
    let d: Delivery
    try {
      d = await this.deliver(t, attempt)
    } finally {
      this.inFlight--
    }
    if (!d.acked && resendsLeft > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        void this.attempt(t, attempt + 1, resendsLeft - 1)
      }, this.o.retryIntervalMs)
      this.timers.add(timer)
    }
    return d
  }

  private async deliver(t: Target, attempt: number): Promise<Delivery> {
    const fault = this.o.faults.take('callback')
    if (fault?.kind === 'slow' || fault?.kind === 'timeout') await sleep(fault.delayMs)
    // Outgoing faults model ZaloPay failing to deliver: the attempt is lost and the re-send
    // schedule carries on. `malformed` instead delivers a truncated body.
    if (fault && fault.kind !== 'slow' && fault.kind !== 'malformed') {
      return this.record(t, attempt, { fault: fault.kind, error: `injected ${fault.kind}: not delivered`, acked: false })
    }
    const body = fault?.kind === 'malformed' ? t.body.slice(0, Math.floor(t.body.length / 2)) : t.body
    try {
      const res = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      })
      const reply = await res.text()
      const acked = res.status === 200 && replyCode(reply) === 1
      return this.record({ ...t, body }, attempt, { status: res.status, reply, acked, ...(fault && { fault: fault.kind }) })
    } catch (err) {
      return this.record({ ...t, body }, attempt, { error: (err as Error).message, acked: false, ...(fault && { fault: fault.kind }) })
    }
  }

  private record(t: Target, attempt: number, outcome: Pick<Delivery, 'acked' | 'status' | 'reply' | 'error' | 'fault' | 'suppressed'>): Delivery {
    const d: Delivery = { id: this.nextId++, kind: t.kind, app_trans_id: t.appTransId, url: t.url, attempt, at: this.o.now(), body: t.body, ...outcome }
    this.log.push(d)
    this.o.log(`callback ${t.kind} #${attempt} ${t.appTransId ?? '-'} → ${t.url || '(none)'}: ${d.acked ? 'ack' : (d.error ?? `${d.status} ${d.reply}`)}`)
    return d
  }
}

function replyCode(text: string): unknown {
  try {
    return (JSON.parse(text) as { return_code?: unknown }).return_code
  } catch {
    return undefined
  }
}
