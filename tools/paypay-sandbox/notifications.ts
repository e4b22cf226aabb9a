/**
 * Cashback result notifications (gateways.md §1.8). PayPay notifies the merchant when an async
 * grant ends, but the body schema, any signature and the expected reply are [UNCONFIRMED]; the
 * backend must treat a notification as a hint and re-read Check Cashback Details. So the body here
 * is the sandbox's choice (README), nothing is signed, and any 2xx reply is an ack. Delivery follows
 * the stricter of PayPay's published retry rules: a 1.5 s reply timeout and up to 3 re-sends.
 */
import { sleep, type FaultKind, type FaultPlan } from '../shared/http-kit.ts'

export const MAX_RESENDS = 3
/** Between attempts; multiplied by notificationRetryScale (tests: e.g. 0.01). */
export const BASE_RETRY_INTERVAL_MS = 500
export const ATTEMPT_TIMEOUT_MS = 1_500

export interface Delivery {
  id: number
  merchantCashbackId: string
  url: string
  /** 1 for the first send, 2.. for re-sends. */
  attempt: number
  at: number
  body: string
  status?: number
  reply?: string
  error?: string
  /** A notification fault consumed by this attempt. */
  fault?: FaultKind
  acked: boolean
}

interface Target {
  merchantCashbackId: string
  url: string
  body: string
}

export class Notifications {
  readonly log: Delivery[] = []
  private readonly timers = new Set<NodeJS.Timeout>()
  private inFlight = 0
  private nextId = 1

  constructor(
    private readonly o: {
      retryIntervalMs: number
      faults: FaultPlan
      now: () => number
      log: (line: string) => void
    },
  ) {}

  /** Sends in the background; re-sends follow on failure. */
  send(merchantCashbackId: string, url: string, body: unknown): void {
    void this.attempt({ merchantCashbackId, url, body: JSON.stringify(body) }, 1, MAX_RESENDS)
  }

  /** Nothing in flight and no re-send waiting. */
  get idle(): boolean {
    return this.inFlight === 0 && this.timers.size === 0
  }

  reset(): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.log.length = 0
  }

  private async attempt(t: Target, attempt: number, resendsLeft: number): Promise<void> {
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
  }

  private async deliver(t: Target, attempt: number): Promise<Delivery> {
    const fault = this.o.faults.take('notification')
    if (fault?.kind === 'slow' || fault?.kind === 'timeout') await sleep(fault.delayMs)
    // Outgoing faults model PayPay failing to deliver: the attempt is lost and the re-send
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
      const acked = res.status >= 200 && res.status < 300
      return this.record({ ...t, body }, attempt, { status: res.status, reply, acked, ...(fault && { fault: fault.kind }) })
    } catch (err) {
      return this.record({ ...t, body }, attempt, { error: (err as Error).message, acked: false, ...(fault && { fault: fault.kind }) })
    }
  }

  private record(t: Target, attempt: number, outcome: Pick<Delivery, 'acked' | 'status' | 'reply' | 'error' | 'fault'>): Delivery {
    const d: Delivery = { id: this.nextId++, merchantCashbackId: t.merchantCashbackId, url: t.url, attempt, at: this.o.now(), body: t.body, ...outcome }
    this.log.push(d)
    this.o.log(`notification #${attempt} ${t.merchantCashbackId} → ${t.url}: ${d.acked ? 'ack' : (d.error ?? `${d.status} ${d.reply}`)}`)
    return d
  }
}
