/**
 * Webhook delivery (docs/protocols/paystack.md): POST of a compact JSON `{event, data}` with
 * `x-paystack-signature` = hex HMAC-SHA512(secret key, exact body bytes). Only HTTP 200 is an
 * acknowledgement; anything else is retried on a schedule. Every attempt is logged, and tests can
 * hold deliveries back (suppress), make them late (delay) or send them again byte-for-byte
 * (replay).
 */
import type { FaultPlan } from '../shared/http-kit.ts'
import { postOutgoing, type AttemptOutcome, type DeliveryAttempt } from '../shared/outgoing.ts'
import { isObject } from './params.ts'
import { signPaystackBody } from './signature.ts'
import { Timers } from './timers.ts'

const MINUTE = 60_000
/**
 * [UNCONFIRMED] Paystack's retry policy is not in docs/protocols/paystack.md. This follows an
 * unverified recollection of Paystack's webhook guide for live mode (every 3 minutes for the first
 * 4 retries, then hourly), capped at 3 hourly retries so a dead receiver does not keep tests busy.
 * Multiplied by webhookRetryScale.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [3, 3, 3, 3, 60, 60, 60].map((m) => m * MINUTE)
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1
/** [UNCONFIRMED] per-attempt timeout. */
const ATTEMPT_TIMEOUT_MS = 30_000

export interface WebhookEvent {
  index: number
  event: string
  /** data.reference for charges, data.transaction_reference for refunds. */
  reference: string | null
  /** The exact bytes sent, so retries and replays are byte-identical. */
  body: string
  signature: string
  createdAt: number
}

export type DeliveryKind = 'event' | 'replay'

export interface Delivery extends DeliveryAttempt {
  /** Index of the event in the event list. */
  index: number
  event: string
  reference: string | null
  kind: DeliveryKind
  /** The body was cut short by a `malformed` fault. */
  truncated?: boolean
}

/** What happened to the first attempt of an emit or replay. */
export interface DispatchResult {
  delivery?: Delivery
  /** Held back by suppression; sent when it is lifted. */
  queued?: boolean
  /** Will be sent after the configured delay. */
  delayed?: boolean
}

interface Job {
  ev: WebhookEvent
  kind: DeliveryKind
  attempt: number
  maxAttempts: number
  /** Set once the configured delay has been served (or skipped by a flush). */
  late?: boolean
  /** The reset generation the job belongs to; jobs from before a reset are dropped. */
  generation: number
}

export class Webhooks {
  readonly events: WebhookEvent[] = []
  readonly log: Delivery[] = []
  url: string | undefined
  private readonly queue: Job[] = []
  private readonly timers = new Timers()
  private suppressedFlag = false
  private delay = 0
  private inFlight = 0
  private nextId = 1
  private generation = 0

  constructor(
    private readonly o: {
      secretKey: string
      url: string | undefined
      retryScale: number
      faults: FaultPlan
      now: () => number
      log: (line: string) => void
    },
  ) {
    this.url = o.url
  }

  /**
   * Records an event and sends it. Resolves after the first attempt (unless it was queued or
   * delayed); retries run in the background. `signature` forges the header; `once` sends a single
   * attempt with no retries.
   */
  async emit(event: string, data: unknown, opts: { signature?: string; once?: boolean } = {}): Promise<DispatchResult & { index: number }> {
    const body = JSON.stringify({ event, data })
    const ev: WebhookEvent = {
      index: this.events.length,
      event,
      reference: referenceOf(data),
      body,
      signature: opts.signature ?? signPaystackBody(this.o.secretKey, body),
      createdAt: this.o.now(),
    }
    this.events.push(ev)
    const result = await this.dispatch({
      ev,
      kind: 'event',
      attempt: 1,
      maxAttempts: opts.once ? 1 : MAX_ATTEMPTS,
      generation: this.generation,
    })
    return { index: ev.index, ...result }
  }

  /** Sends an earlier event again, byte-for-byte, `times` times; each is one unretried attempt. */
  async replay(ev: WebhookEvent, times: number): Promise<DispatchResult[]> {
    const results: DispatchResult[] = []
    for (let i = 0; i < times; i++)
      results.push(await this.dispatch({ ev, kind: 'replay', attempt: 1, maxAttempts: 1, generation: this.generation }))
    return results
  }

  /** The latest event about a reference, optionally of one event type. */
  latest(reference: string, event?: string): WebhookEvent | undefined {
    return this.events.findLast((e) => e.reference === reference && (event === undefined || e.event === event))
  }

  get suppressed(): boolean {
    return this.suppressedFlag
  }

  get queued(): number {
    return this.queue.length
  }

  get delayMs(): number {
    return this.delay
  }

  /** Lifting suppression sends everything held back, in order, without the configured delay. */
  setSuppressed(on: boolean): void {
    this.suppressedFlag = on
    if (on) return
    for (const job of this.queue.splice(0)) void this.dispatch({ ...job, late: true })
  }

  setDelay(ms: number): void {
    this.delay = ms
  }

  /** In flight, waiting for a retry, or waiting out a delay; suppressed events do not count. */
  get busy(): boolean {
    return this.inFlight > 0 || this.timers.size > 0
  }

  /** Forgets everything; a delivery still in flight finishes but is neither logged nor retried. */
  reset(): void {
    this.generation++
    this.timers.clear()
    this.queue.length = 0
    this.events.length = 0
    this.log.length = 0
    this.suppressedFlag = false
    this.delay = 0
    this.url = this.o.url
  }

  private async dispatch(job: Job): Promise<DispatchResult> {
    if (job.generation !== this.generation) return {}
    if (this.suppressedFlag) {
      this.queue.push(job)
      this.o.log(`webhook ${job.ev.event} ${job.ev.reference ?? '-'} #${job.attempt}: queued (suppressed)`)
      return { queued: true }
    }
    if (job.attempt === 1 && this.delay > 0 && !job.late) {
      this.timers.set('delay', () => void this.dispatch({ ...job, late: true }), this.delay)
      return { delayed: true }
    }
    return { delivery: await this.run(job) }
  }

  private async run(job: Job): Promise<Delivery> {
    this.inFlight++
    let d: Delivery
    try {
      d = await this.deliver(job)
    } finally {
      this.inFlight--
    }
    // No URL is a configuration problem, not a failed delivery: nothing to retry against.
    if (!d.acked && d.url !== '' && job.attempt < job.maxAttempts && job.generation === this.generation) {
      const wait = RETRY_SCHEDULE_MS[job.attempt - 1]! * this.o.retryScale
      this.timers.set('retry', () => void this.dispatch({ ...job, attempt: job.attempt + 1 }), wait)
    }
    return d
  }

  private async deliver(job: Job): Promise<Delivery> {
    const url = this.url
    if (!url) return this.record(job, '', { error: 'no webhook URL: set option webhookUrl or POST /__control/webhooks/url', acked: false })
    // A `malformed` fault cuts the body but keeps the full signature, so it must not verify.
    const sent = await postOutgoing({
      faults: this.o.faults,
      operation: 'webhook',
      url,
      body: job.ev.body,
      headers: { 'x-paystack-signature': job.ev.signature },
      timeoutMs: ATTEMPT_TIMEOUT_MS,
      isAck: (status) => status === 200,
    })
    return this.record(job, url, { ...sent.outcome, ...(sent.truncated && { truncated: true }) })
  }

  private record(job: Job, url: string, outcome: AttemptOutcome & Pick<Delivery, 'truncated'>): Delivery {
    const { ev } = job
    const d: Delivery = {
      id: this.nextId++,
      index: ev.index,
      event: ev.event,
      reference: ev.reference,
      kind: job.kind,
      url,
      attempt: job.attempt,
      at: this.o.now(),
      ...outcome,
    }
    if (job.generation === this.generation) this.log.push(d)
    this.o.log(
      `webhook ${job.kind} ${ev.event} ${ev.reference ?? '-'} #${job.attempt} → ${url || '(none)'}: ${d.acked ? 'ack' : (d.error ?? `${d.status} ${d.reply}`)}`,
    )
    return d
  }
}

function referenceOf(data: unknown): string | null {
  if (!isObject(data)) return null
  const ref = data['reference'] ?? data['transaction_reference']
  return typeof ref === 'string' ? ref : null
}
