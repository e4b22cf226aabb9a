import type { Acknowledgement } from '../domain/acknowledgement.ts'
import type { Mismatch } from '../domain/mismatch.ts'
import type { ReconciliationDeps } from '../deps.ts'

/**
 * An operator accepts one listed mismatch as it is, with a note saying why (the refund was made on
 * the dashboard, the short charge was settled by hand). Acknowledging the same fingerprint again
 * keeps the first note: the record of who decided what is not rewritten. A fingerprint no report
 * lists simply never matches.
 */
export async function acknowledgeMismatch(
  deps: Pick<ReconciliationDeps, 'acknowledgements' | 'clock'>,
  input: { fingerprint: string; kind: Mismatch['kind']; note: string; actor: string; requestId: string },
): Promise<{ created: boolean; acknowledgement: Acknowledgement }> {
  const at = deps.clock.now()
  return deps.acknowledgements.add(
    { fingerprint: input.fingerprint, kind: input.kind, note: input.note, acknowledgedBy: input.actor, acknowledgedAt: at },
    {
      actor: input.actor,
      action: 'reconciliation.mismatch_acknowledged',
      entityType: 'reconciliation_mismatch',
      entityId: input.fingerprint,
      requestId: input.requestId,
      at,
      data: { kind: input.kind, note: input.note },
    },
  )
}
