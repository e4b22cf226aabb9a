import { auditEntries } from '../../shared/audit.ts'
import type { RefundId } from '../domain/refund.ts'
import { decideRefundAnswer, type RefundAnswer, type RefundAnswerDecision } from '../domain/refund-answer.ts'
import type { RefundAnswerWrite, RefundView, StoredRefundState } from '../ports.ts'
import type { PaymentDeps } from '../deps.ts'
import { PAYMENT_JOBS } from '../deps.ts'
import { outboxJob } from './payment-jobs.ts'

const MAX_TRIES = 3
type Ctx = { readonly actor: string; readonly requestId: string; readonly now: Date }

/**
 * Seed 004 §2 steps 9-13 after the gateway answered: decide on the refund's state (the one the
 * hold returned, else read), write it in one guarded statement (a state gone stale: read again,
 * decide again), then publish its email job and mark it published.
 */
export async function recordRefundAnswer(
  deps: PaymentDeps,
  refundId: RefundId,
  answer: RefundAnswer,
  ctx: Ctx,
  state?: StoredRefundState | null,
): Promise<RefundView> {
  let s = state ?? (await deps.store.loadRefundState(refundId))
  for (let attempt = 1; ; attempt++) {
    if (!s) throw new Error(`unknown refund ${refundId}`)
    const d = decideRefundAnswer(s, answer)
    if (d.kind === 'none') return s.view
    const write = answerWrite(s, d, answer, ctx)
    const written = await deps.store.recordRefundAnswer(write)
    if (written !== 'conflict') {
      await deps.outbox.markPublished(await deps.outbox.send(write.jobs))
      return written
    }
    if (attempt >= MAX_TRIES) throw new Error(`recording refund ${refundId}: its payment kept changing (${attempt} tries)`)
    s = await deps.store.loadRefundState(refundId)
  }
}

function answerWrite(
  s: StoredRefundState,
  d: Exclude<RefundAnswerDecision, { kind: 'none' }>,
  answer: RefundAnswer,
  ctx: Ctx,
): RefundAnswerWrite {
  const audit = auditEntries(ctx)
  const refundId = s.view.id
  const from = s.refund.status
  if (!answer.accepted || d.kind === 'reject') {
    const message = answer.accepted ? 'refused' : answer.message
    return {
      now: ctx.now,
      refund: { id: refundId, from, to: d.to, failureReason: message.slice(0, 500) },
      audits: [audit('refund.failed', 'refund', refundId, { message: message.slice(0, 200) })],
      jobs: [],
    }
  }
  const p = s.payment
  return {
    now: ctx.now,
    refund: { id: refundId, from, to: d.to, gatewayRefundId: answer.gatewayRefundId },
    payment: { id: p.id, from: d.payment.from, to: d.payment.to, acceptedOthers: s.acceptedOthers },
    ...(d.order && { order: d.order }),
    audits: [
      audit('refund.accepted', 'refund', refundId, { gateway_refund_id: answer.gatewayRefundId, status: answer.status }),
      ...(d.order ? [audit(`order.${d.order.to}`, 'order', d.order.id, { from: d.order.from, payment_id: p.id })] : []),
    ],
    jobs: [
      outboxJob(PAYMENT_JOBS.email, `refund_confirmation:${refundId}`, {
        kind: 'refund_confirmation',
        payment_id: p.id,
        refund_id: refundId,
      }),
    ],
  }
}
