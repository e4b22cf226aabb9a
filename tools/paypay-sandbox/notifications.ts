/**
 * Cashback result notifications (docs/protocols/paypay-opa.md). PayPay notifies the merchant when
 * an async grant ends, but the body schema, any signature and the expected reply are [UNCONFIRMED];
 * the backend must treat a notification as a hint and re-read Check Cashback Details. So the body
 * here is the sandbox's choice (README), nothing is signed, and any 2xx reply is an ack. Delivery
 * follows the stricter of PayPay's published retry rules: a 1.5 s reply timeout and up to 3
 * re-sends.
 */
import type { FaultPlan } from '../shared/http-kit.ts'
import { Outbox, type SentAttempt } from '../shared/outgoing.ts'

export const MAX_RESENDS = 3
/** Between attempts; multiplied by notificationRetryScale (tests: e.g. 0.01). */
export const BASE_RETRY_INTERVAL_MS = 500
export const ATTEMPT_TIMEOUT_MS = 1_500

export interface Delivery extends SentAttempt {
  merchantCashbackId: string
}

interface Target {
  merchantCashbackId: string
  url: string
  body: string
}

export class Notifications extends Outbox<Target, Delivery> {
  constructor(o: { retryIntervalMs: number; faults: FaultPlan; now: () => number; log: (line: string) => void }) {
    super({
      ...o,
      operation: 'notification',
      timeoutMs: ATTEMPT_TIMEOUT_MS,
      isAck: (status) => status >= 200 && status < 300,
      describe: (t, attempt) => ({
        fields: { merchantCashbackId: t.merchantCashbackId },
        label: `notification #${attempt} ${t.merchantCashbackId}`,
      }),
    })
  }

  /** Sends in the background; re-sends follow on failure. */
  send(merchantCashbackId: string, url: string, body: unknown): void {
    void this.deliver({ merchantCashbackId, url, body: JSON.stringify(body) }, 1, MAX_RESENDS)
  }
}
