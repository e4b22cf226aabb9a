/**
 * A refund's life after POST /refund (docs/protocols/paystack.md): pending → processing → processed
 * (or failed), each step announced by its refund.* webhook. The automatic steps take refundDelayMs
 * (half pending, half processing); with Infinity only control calls move it.
 */
import type { SandboxContext } from './context.ts'
import { FINAL_REFUND_STATUSES, randomCode, type Refund, type RefundStatus } from './store.ts'
import { refundEventData } from './views.ts'
import type { DispatchResult } from './webhooks.ts'

export function startRefund(ctx: SandboxContext, r: Refund): void {
  void announce(ctx, r)
  const delay = ctx.refundDelayMs
  if (!Number.isFinite(delay)) return
  const key = String(r.id)
  ctx.refundTimers.set(key, () => void advanceRefund(ctx, r, 'processing'), delay / 2)
  ctx.refundTimers.set(key, () => void advanceRefund(ctx, r, 'processed'), delay)
}

/**
 * Moves a refund on and sends its event; resolves after that event's first attempt. A refund
 * that has ended stays as it is. A final outcome cancels the remaining automatic steps.
 */
export async function advanceRefund(
  ctx: SandboxContext,
  r: Refund,
  to: RefundStatus,
): Promise<(DispatchResult & { index: number }) | undefined> {
  if (FINAL_REFUND_STATUSES.includes(r.status) || r.status === to) return undefined
  if (FINAL_REFUND_STATUSES.includes(to)) ctx.refundTimers.cancel(String(r.id))
  const now = ctx.now()
  r.status = to
  r.updatedAt = now
  if (to === 'processed') {
    r.refundedAt = now
    r.refundReference = randomCode(12, '0123456789')
  }
  ctx.log(`refund ${r.id} of ${r.transactionReference}: ${to}`)
  return announce(ctx, r)
}

function announce(ctx: SandboxContext, r: Refund) {
  const tx = ctx.store.transactions.get(r.transactionReference)!
  return ctx.webhooks.emit(`refund.${r.status}`, refundEventData(ctx, r, tx))
}
