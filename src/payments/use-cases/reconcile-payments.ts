import { applyVerifiedCharge } from './apply-verified-charge.ts'
import type { PaymentDeps } from '../deps.ts'
import { autoRefund } from './payment-jobs.ts'
import { recordRefundAnswer } from './record-refund-answer.ts'
import { syncRefunds } from './sync-refunds.ts'

const PENDING_AFTER_MS = 3 * 60_000

/**
 * The scheduled safety net: payments still initialized after a few minutes are verified with
 * Paystack and settled through the same path as the webhook (a lost webhook changes nothing);
 * refunds held but never answered are matched against Paystack's list (those it never saw are
 * released, automatic ones are sent), and so are accepted refunds whose final webhook is late;
 * outbox rows whose publish was interrupted are published. Rows asked about without news are
 * touched, so each run starts with the ones looked at least recently.
 */
export async function reconcilePayments(deps: PaymentDeps, opts: { pendingAfterMs?: number } = {}): Promise<Record<string, number>> {
  const now = deps.clock.now()
  const before = new Date(now.getTime() - (opts.pendingAfterMs ?? PENDING_AFTER_MS))
  let settled = 0
  for (const p of await deps.store.stalePayments(before, 100)) {
    const outcome = await applyVerifiedCharge(deps, p.reference, { actor: 'system:reconcile', requestId: `reconcile:${now.toISOString()}` })
    if (outcome.kind !== 'not_final') settled++
    else await deps.store.touchPayment(p.id, now)
  }
  let refunds = 0
  let abandoned = 0
  for (const r of await deps.store.staleRefundRequests(before, 100)) {
    const payment = await deps.store.findById(r.paymentId)
    if (!payment) continue
    refunds += await syncRefunds(deps, payment.reference, `reconcile:${now.toISOString()}`)
    if ((await deps.store.findRefund(r.id))?.status !== 'requested') continue
    if (r.requestedBy === 'system') {
      // A late payment's automatic refund whose job has not run: send it now (it looks first).
      await autoRefund(deps, { refundId: r.id })
      continue
    }
    // Held for minutes and unknown to Paystack: the call never reached it (5xx, reset, timeout).
    // Fail it so its amount is free again; the admin's retry creates the refund that counts.
    await recordRefundAnswer(
      deps,
      r.id,
      { accepted: false, message: 'never reached Paystack (no matching refund there); released by reconciliation' },
      { actor: 'system:reconcile', requestId: `reconcile:${now.toISOString()}`, now },
    )
    abandoned++
  }
  // Accepted refunds whose final webhook never came: Paystack's refund list says where they are.
  const synced = new Set<string>()
  for (const r of await deps.store.pendingRefunds(before, 100)) {
    if (!synced.has(r.paymentId)) {
      const payment = await deps.store.findById(r.paymentId)
      if (!payment) continue
      refunds += await syncRefunds(deps, payment.reference, `reconcile:${now.toISOString()}`)
      synced.add(r.paymentId)
    }
    if ((await deps.store.findRefund(r.id))?.status === 'pending') await deps.store.touchRefund(r.id, now)
  }
  const published = await deps.outbox.publish()
  return { payments_settled: settled, refunds_updated: refunds, refund_requests_released: abandoned, jobs_published: published }
}
