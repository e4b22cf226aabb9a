import { sql } from 'drizzle-orm'
import { paypayLinks, pointsLedger } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import type { LedgerApplied, LedgerEntry, LedgerEntryId, LedgerKind, NewLedgerEntry } from '../domain/ledger.ts'
import type { PayPayLink } from '../domain/link.ts'
import type { PointsLedger, PointsSnapshot } from '../ports.ts'
import { toLink } from './drizzle-link-repository.ts'
import { isUniqueViolation } from './pg-errors.ts'
import { fromJson, jsonRows, ledgerCtes, one } from './sql-units.ts'

type Row = typeof pointsLedger.$inferSelect
type Json = Record<string, unknown>

export const toLedgerEntry = (r: Row): LedgerEntry => ({
  id: r.id as LedgerEntryId,
  userId: r.userId,
  kind: r.kind as LedgerKind,
  points: r.points,
  balanceAfter: r.balanceAfter,
  idempotencyKey: r.idempotencyKey,
  referenceType: r.referenceType as LedgerEntry['referenceType'],
  referenceId: r.referenceId,
  reason: r.reason,
  actor: r.actor,
  requestId: r.requestId,
  at: r.createdAt,
})

export const ledgerEntryFromJson = (json: Json): LedgerEntry => toLedgerEntry(fromJson(pointsLedger, json))

/** The user's balance as one scalar subquery (0 without an account). */
export const balanceOf = (userId: string) => sql`coalesce((select balance from points_accounts where user_id = ${userId}::text), 0)`

/** At most this many tries when a concurrent change beats the guarded write (then the guard's word stands). */
const TRIES = 3

export class DrizzlePointsLedger implements PointsLedger {
  constructor(private readonly db: Db) {}

  /**
   * One statement: the entry unless its key exists (`replayed`), the balance moved by the guarded
   * update (`insufficient` when a debit does not fit). A twin racing on the same key trips the
   * unique index and the next try finds its entry; a debit that the statement's own snapshot says
   * fits but the guard refused lost a race with a concurrent debit, and is tried again.
   */
  async apply(e: NewLedgerEntry): Promise<LedgerApplied> {
    for (let attempt = 1; ; attempt++) {
      let r: { prior: Json | null; entry: Json | null; balance: number }
      try {
        r = await one(
          this.db,
          sql`with prior as (select * from points_ledger where idempotency_key = ${e.idempotencyKey}::text),
            fresh as (select 1 where not exists (select 1 from prior)),
            ${ledgerCtes('m', 'fresh', e)}
          select (select row_to_json(prior) from prior) as prior, (select row_to_json(m_entry) from m_entry) as entry,
            ${balanceOf(e.userId)} as balance`,
        )
      } catch (err) {
        if (attempt < TRIES && isUniqueViolation(err, 'points_ledger_idempotency_key_uq')) continue
        throw err
      }
      if (r.entry) {
        const entry = ledgerEntryFromJson(r.entry)
        return { kind: 'applied', entry, balance: entry.balanceAfter }
      }
      if (r.prior) return { kind: 'replayed', entry: ledgerEntryFromJson(r.prior), balance: r.balance }
      if (r.balance + e.points < 0 || attempt >= TRIES) return { kind: 'insufficient', balance: r.balance }
    }
  }

  /** Balance and one page of history (newest first) in one statement. */
  async view(userId: string, page: { limit: number; before?: LedgerEntryId }): Promise<PointsSnapshot> {
    const r = await one<{ balance: number; entries: Json[] }>(
      this.db,
      sql`select ${balanceOf(userId)} as balance, ${jsonRows(
        sql`select * from points_ledger where user_id = ${userId}::text ${page.before ? sql`and id < ${page.before}::text` : sql``}
            order by id desc limit ${page.limit}::int`,
      )} as entries`,
    )
    return { balance: r.balance, entries: r.entries.map(ledgerEntryFromJson) }
  }

  async balanceAndLink(userId: string): Promise<{ balance: number; link: PayPayLink | null }> {
    const r = await one<{ balance: number; link: Json | null }>(
      this.db,
      sql`select ${balanceOf(userId)} as balance, (select row_to_json(l) from paypay_links l where l.user_id = ${userId}::text) as link`,
    )
    return { balance: r.balance, link: r.link ? toLink(fromJson(paypayLinks, r.link)) : null }
  }
}
