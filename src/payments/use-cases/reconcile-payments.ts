import { applyVerifiedCharge } from './apply-verified-charge.ts'
import type { PaymentDeps } from './payment-deps.ts'
import { syncRefunds } from './sync-refunds.ts'

const PENDING_AFTER_MS = 3 * 60_000

/**
 * The scheduled safety net: payments still initialized after a few minutes are verified with
 * Paystack and settled through the same path as the webhook (a lost webhook changes nothing);
 * refunds held but never answered are matched against Paystack's list; outbox rows whose publish
 * was interrupted are published.
 */
export async function reconcilePayments(deps: PaymentDeps): Promise<Record<string, number>> {
  const now = deps.clock.now()
  const before = new Date(now.getTime() - PENDING_AFTER_MS)
  let settled = 0
  for (const p of await deps.store.stalePayments(before, 100)) {
    const outcome = await applyVerifiedCharge(deps, p.reference, { actor: 'system:reconcile', requestId: `reconcile:${now.toISOString()}` })
    if (outcome.kind !== 'not_final') settled++
  }
  let refunds = 0
  for (const r of await deps.store.staleRefundRequests(before, 100)) {
    const payment = await deps.store.findById(r.paymentId)
    if (payment) refunds += await syncRefunds(deps, payment.reference, `reconcile:${now.toISOString()}`)
  }
  const published = await deps.outbox.publish()
  return { payments_settled: settled, refunds_updated: refunds, jobs_published: published }
}
