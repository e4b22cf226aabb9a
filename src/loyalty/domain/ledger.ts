import type { Brand } from '../../shared/brand.ts'

/**
 * The points ledger: append-only entries, each with an idempotency key the database holds unique,
 * so whatever retries or races, one business fact (a grant, an exchange, its refund, a reversal)
 * moves points exactly once. A user's balance is the sum of their entries and never goes negative.
 */
export type LedgerEntryId = Brand<string, 'LedgerEntryId'>

export const LEDGER_KINDS = ['earn', 'exchange_debit', 'refund_credit', 'reversal_credit', 'adjustment'] as const
export type LedgerKind = (typeof LEDGER_KINDS)[number]

/** Which sign each kind's points take: credits add, debits subtract, adjustments either way. */
export const LEDGER_SIGN: Record<LedgerKind, 'credit' | 'debit' | 'either'> = {
  earn: 'credit',
  exchange_debit: 'debit',
  refund_credit: 'credit',
  reversal_credit: 'credit',
  adjustment: 'either',
}

/** Points are whole numbers; one entry moves at most this many (either way). */
export const MAX_POINTS_PER_ENTRY = 100_000_000

export interface NewLedgerEntry {
  readonly userId: string
  readonly kind: LedgerKind
  /** Signed: positive credits, negative debits. Never zero. */
  readonly points: number
  /** Unique across the ledger: the same key twice is the same entry (applied once). */
  readonly idempotencyKey: string
  readonly referenceType: 'cashback' | 'reversal' | 'grant' | null
  readonly referenceId: string | null
  readonly reason: string | null
  readonly actor: string
  readonly requestId: string
  readonly at: Date
}

export interface LedgerEntry extends NewLedgerEntry {
  readonly id: LedgerEntryId
  /** The user's balance right after this entry. */
  readonly balanceAfter: number
}

/** Why an entry is malformed, or null: the sign must match the kind and the size stay sane. */
export function ledgerEntryProblem(e: Pick<NewLedgerEntry, 'kind' | 'points' | 'idempotencyKey'>): string | null {
  if (!Number.isSafeInteger(e.points) || e.points === 0) return 'points must be a non-zero integer'
  if (Math.abs(e.points) > MAX_POINTS_PER_ENTRY) return `at most ${MAX_POINTS_PER_ENTRY} points per entry`
  const sign = LEDGER_SIGN[e.kind]
  if (sign === 'credit' && e.points < 0) return `${e.kind} entries credit points`
  if (sign === 'debit' && e.points > 0) return `${e.kind} entries debit points`
  if (e.idempotencyKey.length === 0 || e.idempotencyKey.length > 200) return 'idempotency key must be 1-200 characters'
  return null
}

/** Ledger keys derived from the business fact, so a retry finds the entry its first try wrote. */
export const ledgerKeys = {
  exchange: (merchantCashbackId: string) => `exchange:${merchantCashbackId}`,
  refund: (merchantCashbackId: string) => `refund:${merchantCashbackId}`,
  reversal: (merchantCashbackReversalId: string) => `reversal:${merchantCashbackReversalId}`,
  grant: (key: string) => `grant:${key}`,
}

/** Result of applying an entry: applied now, already applied earlier (same key), or refused. */
export type LedgerApplied =
  | { readonly kind: 'applied'; readonly entry: LedgerEntry; readonly balance: number }
  /** `balance` is the user's balance now (the entry's balanceAfter is from when it was applied). */
  | { readonly kind: 'replayed'; readonly entry: LedgerEntry; readonly balance: number }
  | { readonly kind: 'insufficient'; readonly balance: number }
