import type { SettleOutcome } from '../ports.ts'
import type { PaymentDeps } from '../deps.ts'
import { decideSettlement, type ChargeSnapshot } from '../domain/settlement.ts'
import { settlementWrite } from './settlement-write.ts'

/** A settlement whose snapshot kept going stale this many times is reported as a failure (retried). */
const MAX_TRIES = 3

/**
 * The one code path that settles a charge, whoever noticed it (webhook, verify endpoint,
 * reconciliation): read the truth from the gateway's verify API, decide on the snapshot in the
 * domain, write it in one statement (a stale snapshot: read again and decide again), and only
 * after it committed clear caches and publish the jobs it wrote to the outbox.
 */
export async function applyVerifiedCharge(
  deps: PaymentDeps,
  reference: string,
  ctx: { actor: string; requestId: string },
): Promise<SettleOutcome> {
  const { outcome, published } = await settleCharge(deps, reference, ctx, await deps.store.loadCharge(reference))
  await deps.outbox.markPublished(published)
  return outcome
}

/**
 * applyVerifiedCharge on a snapshot the caller already read (the webhook reads it with its claim),
 * leaving the published jobs to mark to the caller (the webhook marks them with the event).
 */
export async function settleCharge(
  deps: PaymentDeps,
  reference: string,
  ctx: { actor: string; requestId: string },
  snapshot: ChargeSnapshot | null,
): Promise<{ outcome: SettleOutcome; published: readonly string[] }> {
  const verified = await deps.gateway.verify(reference)
  if (!verified.ok) return { outcome: verified.notFound ? { kind: 'unknown_reference' } : { kind: 'not_final' }, published: [] }
  let snap = snapshot
  for (let attempt = 1; ; attempt++) {
    if (!snap) return { outcome: { kind: 'unknown_reference' }, published: [] }
    const now = deps.clock.now()
    const decision = decideSettlement(snap, verified.value)
    if (decision.kind === 'already_settled' || decision.kind === 'not_final') return { outcome: { kind: decision.kind }, published: [] }
    const { write, outcome } = settlementWrite(snap, verified.value, decision, { ...ctx, now })
    if ((await deps.store.commitSettlement(write)) === 'applied') {
      const published = await afterCommit(deps, outcome)
      deps.logger.info('charge applied', { reference, outcome: outcome.kind, attempt })
      return { outcome, published }
    }
    if (attempt >= MAX_TRIES) throw new Error(`settling ${reference}: the payment kept changing (${attempt} tries)`)
    snap = await deps.store.loadCharge(reference)
  }
}

async function afterCommit(deps: PaymentDeps, outcome: SettleOutcome): Promise<readonly string[]> {
  if (outcome.kind !== 'fulfilled' && outcome.kind !== 'refund_required') return []
  await deps.intents.clear(outcome.orderId)
  await deps.reservationCache.clear(outcome.orderId)
  return deps.outbox.send(outcome.jobs)
}
