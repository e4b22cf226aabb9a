import type { SettleOutcome } from '../ports.ts'
import type { PaymentDeps } from './payment-deps.ts'

/**
 * The one code path that settles a charge, whoever noticed it (webhook, verify endpoint,
 * reconciliation): read the truth from the gateway's verify API, settle in one transaction, and
 * only after commit clear caches and publish the jobs the transaction wrote to the outbox.
 */
export async function applyVerifiedCharge(
  deps: PaymentDeps,
  reference: string,
  ctx: { actor: string; requestId: string },
): Promise<SettleOutcome> {
  const verified = await deps.gateway.verify(reference)
  if (!verified.ok) return verified.notFound ? { kind: 'unknown_reference' } : { kind: 'not_final' }
  const outcome = await deps.store.settleCharge(reference, verified.value, { ...ctx, now: deps.clock.now() })
  if (outcome.kind === 'fulfilled' || outcome.kind === 'refund_required') {
    await deps.intents.clear(outcome.orderId)
    await deps.reservationCache.clear(outcome.orderId)
    await deps.outbox.publish(outcome.jobs.map((j) => j.deduplicationId!))
  }
  deps.logger.info('charge applied', { reference, outcome: outcome.kind })
  return outcome
}
