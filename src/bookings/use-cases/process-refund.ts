import { mRefundIdFor } from '../domain/zalopay-ids.ts'
import type { Refund, RefundId } from '../domain/refund.ts'
import type { RefundObservation } from '../ports.ts'
import type { BookingDeps } from '../deps.ts'
import { queueRefund } from './settle-payment.ts'

/** Seconds between query_refund polls while ZaloPay is still processing a refund. */
export const REFUND_POLL_SECONDS = 10
const MAX_POLLS = 60

/**
 * Drives one refund to a final state: submits it to ZaloPay (the m_refund_id is fixed at the first
 * attempt, so a retry is the same refund), then polls query_refund, re-queuing itself with a delay
 * while ZaloPay is processing. The scheduled sweep picks up anything a lost job left behind.
 */
export async function processRefund(deps: BookingDeps, refundId: string): Promise<Refund | null> {
  const gateway = deps.gateway
  const refund = await deps.refunds.find(refundId as RefundId)
  if (!refund || !gateway) return refund
  if (refund.status === 'SUCCEEDED' || refund.status === 'FAILED') return refund
  const now = deps.clock.now()
  let current = refund
  if (current.status === 'PENDING') {
    let mRefundId = current.mRefundId
    let requestedAt = current.requestedAt
    if (!mRefundId || !requestedAt) {
      mRefundId = mRefundIdFor(current.id, gateway.appId, now)
      requestedAt = now
      current = (await deps.refunds.update(current.id, 'PENDING', null, { mRefundId, requestedAt }, now)) ?? current
    }
    const answer = await gateway.refund({
      mRefundId,
      transactionId: current.transactionId,
      amount: current.amount,
      description: `Refund ${current.reason.toLowerCase().replaceAll('_', ' ')}`,
      timestamp: requestedAt.getTime(),
    })
    current = await apply(deps, current, answer, now)
  } else {
    const answer = await gateway.queryRefund(current.mRefundId!, current.requestedAt!.getTime())
    current = await apply(deps, current, answer, now)
  }
  if (current.status === 'PROCESSING' && current.attempts < MAX_POLLS) {
    await queueRefund(deps, current.id, current.attempts, REFUND_POLL_SECONDS)
  }
  return current
}

async function apply(deps: BookingDeps, r: Refund, answer: RefundObservation, now: Date): Promise<Refund> {
  const attempts = r.attempts + 1
  const patch = { attempts, ...('gatewayRefundId' in answer && answer.gatewayRefundId && { gatewayRefundId: answer.gatewayRefundId }) }
  if (answer.status === 'failed')
    deps.logger.error('ZaloPay refused a refund', { refund_id: r.id, sub_return_code: answer.subCode, message: answer.message })
  const event =
    answer.status === 'succeeded' ? 'succeeded' : answer.status === 'failed' ? 'failed' : r.status === 'PENDING' ? 'submitted' : null
  return (await deps.refunds.update(r.id, r.status, event, patch, now)) ?? (await deps.refunds.find(r.id)) ?? r
}

/** The sweep: refunds not final are driven again. */
export async function sweepRefunds(deps: BookingDeps, opts: { limit?: number } = {}): Promise<{ advanced: number }> {
  let advanced = 0
  for (const r of await deps.refunds.findOpen(opts.limit ?? 50)) {
    try {
      await processRefund(deps, r.id)
      advanced++
    } catch (e) {
      deps.logger.warn('refund sweep: ZaloPay unreachable', { refund_id: r.id, error: e instanceof Error ? e.message : String(e) })
    }
  }
  return { advanced }
}
