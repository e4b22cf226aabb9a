/**
 * Deliveries a sandbox sends out (webhooks, callbacks, notifications) take faults the same way in
 * every sandbox: a fault queued for the delivery operation is consumed by one attempt. They model
 * the gateway failing to deliver, so the attempt is lost and the re-send schedule carries on;
 * `slow` only delays it, and `malformed` delivers the body cut in half. Signing, headers and what
 * counts as an ack are each gateway's own and stay in its sandbox.
 */
import { sleep, type FaultKind, type FaultPlan } from './http-kit.ts'

export interface AttemptOutcome {
  acked: boolean
  status?: number
  reply?: string
  error?: string
  /** The fault this attempt consumed. */
  fault?: FaultKind
}

/** One attempt as a sandbox logs it (and its control API shows it). */
export interface DeliveryAttempt extends AttemptOutcome {
  id: number
  url: string
  /** 1 for the first send, 2.. for re-sends. */
  attempt: number
  at: number
}

export interface Attempt {
  /** What went out: cut short by `malformed`; the original when the attempt was lost. */
  body: string
  truncated: boolean
  outcome: AttemptOutcome
}

/** Where and what to send; the body goes out byte for byte (unless a fault cuts it). */
export interface OutgoingTarget {
  url: string
  body: string
}

/** How one sandbox sends: its fault operation, headers, reply timeout and what it takes as an ack. */
export interface OutgoingOptions {
  faults: FaultPlan
  /** The fault operation name, e.g. "webhook". */
  operation: string
  headers?: Record<string, string>
  timeoutMs: number
  isAck: (status: number, reply: string) => boolean
}

export async function postOutgoing(o: OutgoingOptions & OutgoingTarget): Promise<Attempt> {
  const fault = o.faults.take(o.operation)
  if (fault?.kind === 'slow' || fault?.kind === 'timeout') await sleep(fault.delayMs)
  if (fault && fault.kind !== 'slow' && fault.kind !== 'malformed') {
    return { body: o.body, truncated: false, outcome: { fault: fault.kind, error: `injected ${fault.kind}: not delivered`, acked: false } }
  }
  const truncated = fault?.kind === 'malformed'
  const body = truncated ? o.body.slice(0, Math.floor(o.body.length / 2)) : o.body
  const faultInfo = fault ? { fault: fault.kind } : {}
  try {
    const res = await fetch(o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...o.headers },
      body,
      signal: AbortSignal.timeout(o.timeoutMs),
    })
    const reply = await res.text()
    return { body, truncated, outcome: { status: res.status, reply, acked: o.isAck(res.status, reply), ...faultInfo } }
  } catch (err) {
    return { body, truncated, outcome: { error: (err as Error).message, acked: false, ...faultInfo } }
  }
}

/** An attempt as logged, with what went out; the sandbox adds its own fields. */
export interface SentAttempt extends DeliveryAttempt {
  body: string
}

type OwnFields<D> = Omit<D, keyof SentAttempt>

/**
 * A sandbox's outgoing deliveries with re-sends at a fixed interval: an attempt that was not acked
 * is tried again `retryIntervalMs` later, at most `resendsLeft` more times. Every attempt is logged
 * (for the control API) and tracked while in flight or waiting (for drain and reset).
 */
export class Outbox<T extends OutgoingTarget, D extends SentAttempt> {
  readonly log: D[] = []
  private readonly timers = new Set<NodeJS.Timeout>()
  private inFlight = 0
  private nextId = 1

  constructor(
    private readonly o: OutgoingOptions & {
      retryIntervalMs: number
      now: () => number
      log: (line: string) => void
      /** The sandbox's own fields of a logged attempt, and how its log line starts. */
      describe: (target: T, attempt: number) => { fields: OwnFields<D>; label: string }
    },
  ) {}

  protected async deliver(target: T, attempt: number, resendsLeft: number): Promise<D> {
    this.inFlight++
    let d: D
    try {
      const sent = await postOutgoing({ ...this.o, url: target.url, body: target.body })
      // A sent attempt has none of the sandbox's optional fields; TypeScript cannot see that for any D.
      d = this.record({ ...target, body: sent.body }, attempt, sent.outcome as AttemptOutcome & Partial<OwnFields<D>>)
    } finally {
      this.inFlight--
    }
    if (!d.acked && resendsLeft > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        void this.deliver(target, attempt + 1, resendsLeft - 1)
      }, this.o.retryIntervalMs)
      this.timers.add(timer)
    }
    return d
  }

  /** Logs an attempt: one that was sent (`target.body` is what went out), or one held back. */
  protected record(target: T, attempt: number, outcome: AttemptOutcome & Partial<OwnFields<D>>): D {
    const { fields, label } = this.o.describe(target, attempt)
    const d = { id: this.nextId++, ...fields, url: target.url, attempt, at: this.o.now(), body: target.body, ...outcome } as D
    this.log.push(d)
    this.o.log(`${label} → ${target.url || '(none)'}: ${d.acked ? 'ack' : (d.error ?? `${d.status} ${d.reply}`)}`)
    return d
  }

  /** Nothing in flight and no re-send waiting. */
  get idle(): boolean {
    return this.inFlight === 0 && this.timers.size === 0
  }

  /** Drops waiting re-sends and the log; an attempt in flight still finishes (and is logged). */
  reset(): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.log.length = 0
  }
}
