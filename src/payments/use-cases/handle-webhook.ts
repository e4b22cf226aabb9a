import type { PaystackEvent } from '../domain/webhook-event.ts'
import { eventKey, refundTransactionReference } from '../domain/webhook-event.ts'
import { settleCharge } from './apply-verified-charge.ts'
import type { PaymentDeps } from '../deps.ts'
import { syncRefunds } from './sync-refunds.ts'

export type WebhookAnswer =
  | { readonly status: 'processed'; readonly outcome: string }
  | { readonly status: 'duplicate' }
  | { readonly status: 'ignored'; readonly reason: string }

const LEASE_MS = 60_000

/**
 * Seed 004 §3, after the signature was checked: claim the event under its unique key (a duplicate,
 * or a copy arriving while the first is still being processed, does nothing), process it, mark
 * it processed. A failure marks it failed and is rethrown so Paystack retries; the retry takes it
 * over. For a charge, the claim's statement also reads the snapshot the settlement decides on and
 * the last one marks the jobs it published: claim, settlement, mark, one statement each. Bodies are never trusted for money: charges and refunds are re-read from Paystack.
 */
export async function handlePaystackEvent(deps: PaymentDeps, event: PaystackEvent, requestId: string): Promise<WebhookAnswer> {
  const key = eventKey(event)
  if (key === null) return { status: 'ignored', reason: `unhandled event ${event.event}` }
  const charge = event.event === 'charge.success' ? String(event.data['reference']) : undefined
  const claim = await deps.inbox.claim('paystack', key, event, deps.clock.now(), LEASE_MS, charge)
  if (claim.outcome === 'duplicate') return { status: 'duplicate' }
  try {
    let outcome: string
    let published: readonly string[] = []
    if (charge !== undefined) {
      const settled = await settleCharge(deps, charge, { actor: 'paystack:webhook', requestId }, claim.charge)
      outcome = settled.outcome.kind
      published = settled.published
    } else if (event.event.startsWith('refund.')) {
      const reference = refundTransactionReference(event)
      outcome = reference ? `refunds updated: ${await syncRefunds(deps, reference, requestId)}` : 'no reference'
    } else {
      outcome = 'ignored'
    }
    await deps.inbox.processed('paystack', key, deps.clock.now(), published)
    return { status: 'processed', outcome }
  } catch (e) {
    await deps.inbox.failed('paystack', key, e instanceof Error ? e.message : String(e)).catch(() => {})
    throw e
  }
}
