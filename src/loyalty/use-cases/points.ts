import { err, ok, type Result } from '../../shared/result.ts'
import { loyaltyErrors, type LoyaltyError } from '../domain/errors.ts'
import { ledgerEntryProblem, ledgerKeys, type LedgerEntry, type LedgerEntryId } from '../domain/ledger.ts'
import type { LoyaltyDeps } from '../deps.ts'

export interface GrantPointsCommand {
  readonly userId: string
  /** Positive grants; an `adjustment` may be negative (never below a zero balance). */
  readonly points: number
  readonly kind: 'earn' | 'adjustment'
  readonly reason: string
  /** The admin's key for this grant: the same key again grants nothing more. */
  readonly key: string
  readonly actor: string
  readonly requestId: string
}

/** Admin grant (or correction): one ledger entry keyed by the caller's idempotency key. */
export async function grantPoints(
  deps: Pick<LoyaltyDeps, 'ledger' | 'clock'>,
  cmd: GrantPointsCommand,
): Promise<Result<{ entry: LedgerEntry; balance: number; replayed: boolean }, LoyaltyError>> {
  const entry = {
    userId: cmd.userId,
    kind: cmd.kind,
    points: cmd.points,
    idempotencyKey: ledgerKeys.grant(cmd.key),
    referenceType: 'grant' as const,
    referenceId: cmd.key,
    reason: cmd.reason,
    actor: cmd.actor,
    requestId: cmd.requestId,
    at: deps.clock.now(),
  }
  const problem = ledgerEntryProblem(entry)
  if (problem) return err(loyaltyErrors.invalidEntry(problem))
  const applied = await deps.ledger.apply(entry)
  if (applied.kind === 'insufficient') return err(loyaltyErrors.insufficientPoints(applied.balance, -cmd.points))
  if (applied.kind === 'replayed' && (applied.entry.userId !== cmd.userId || applied.entry.points !== cmd.points)) {
    return err(loyaltyErrors.idempotencyConflict())
  }
  return ok({ entry: applied.entry, balance: applied.balance, replayed: applied.kind === 'replayed' })
}

export interface PointsView {
  readonly balance: number
  readonly entries: LedgerEntry[]
  readonly nextBefore: LedgerEntryId | null
}

export async function viewPoints(
  deps: Pick<LoyaltyDeps, 'ledger'>,
  userId: string,
  page: { limit: number; before?: LedgerEntryId },
): Promise<PointsView> {
  const { balance, entries } = await deps.ledger.view(userId, page)
  const last = entries.at(-1)
  return { balance, entries, nextBefore: entries.length === page.limit && last ? last.id : null }
}
