import { and, eq, sql } from 'drizzle-orm'
import { paypayCashbackReversals, paypayCashbacks, paypayHistoryFiles } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import { payPayStatusOf, type PayPayRequestStatus } from '../domain/paypay-request.ts'
import type { HistoryFile, HistoryRow, HistorySource } from '../domain/history.ts'
import type { HistoryRepository, TransactionFilter } from '../ports.ts'
import { isUniqueViolation } from './pg-errors.ts'
import { fromJson, jsonRows, one, ts } from './sql-units.ts'

type Json = Record<string, unknown>

const toFile = (r: typeof paypayHistoryFiles.$inferSelect): HistoryFile => ({
  id: r.id,
  source: r.source as HistorySource,
  businessDate: r.businessDate,
  objectKey: r.objectKey,
  rowCount: r.rowCount,
  sha256: r.sha256,
  createdBy: r.createdBy,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
})

const cashbackRow = (c: typeof paypayCashbacks.$inferSelect): HistoryRow => ({
  transactionType: 'cashback',
  merchantCashbackId: c.merchantCashbackId,
  merchantCashbackReversalId: null,
  userId: c.userId,
  amount: c.amount,
  currency: c.currency,
  status: payPayStatusOf(c.status as PayPayRequestStatus),
  requestedAt: c.requestedAt.toISOString(),
  completedAt: c.completedAt?.toISOString() ?? null,
})

const reversalRow = (r: typeof paypayCashbackReversals.$inferSelect): HistoryRow => ({
  transactionType: 'reversal',
  merchantCashbackId: r.merchantCashbackId,
  merchantCashbackReversalId: r.merchantCashbackReversalId,
  userId: r.userId,
  // What was actually taken back once settled; what was asked for until then.
  amount: r.reversedAmount ?? r.amount,
  currency: 'JPY',
  status: payPayStatusOf(r.status as PayPayRequestStatus),
  requestedAt: r.requestedAt.toISOString(),
  completedAt: r.completedAt?.toISOString() ?? null,
})

const byRequestedAt = (a: HistoryRow, b: HistoryRow) => (a.requestedAt ?? '').localeCompare(b.requestedAt ?? '')

export class DrizzleHistoryRepository implements HistoryRepository {
  constructor(private readonly db: Db) {}

  /** Both kinds, requested in the window or named by id, in one statement. */
  async transactions(f: TransactionFilter): Promise<HistoryRow[]> {
    const inWindow = sql`requested_at >= ${ts(f.from)} and requested_at < ${ts(f.to)}`
    const named = (ids: readonly string[] | undefined) => sql`(select jsonb_array_elements_text(${JSON.stringify(ids ?? [])}::jsonb))`
    const r = await one<{ cashbacks: Json[]; reversals: Json[] }>(
      this.db,
      sql`select ${jsonRows(sql`select * from paypay_cashbacks where ${inWindow} or merchant_cashback_id in ${named(f.cashbackIds)}`)} as cashbacks,
        ${jsonRows(sql`select * from paypay_cashback_reversals where ${inWindow} or merchant_cashback_reversal_id in ${named(f.reversalIds)}`)} as reversals`,
    )
    return [
      ...r.cashbacks.map((j) => cashbackRow(fromJson(paypayCashbacks, j))),
      ...r.reversals.map((j) => reversalRow(fromJson(paypayCashbackReversals, j))),
    ].sort(byRequestedAt)
  }

  async upsertFile(f: HistoryFile): Promise<HistoryFile> {
    try {
      return await this.upsertOnce(f)
    } catch (e) {
      // Two exports of one day racing (QStash redelivers): the loser can trip the object_key
      // unique index, which ON CONFLICT (source, business_date) does not arbitrate. The winner has
      // committed by then, so the second try takes the update path.
      if (isUniqueViolation(e, 'paypay_history_files_key_uq')) return this.upsertOnce(f)
      throw e
    }
  }

  private async upsertOnce(f: HistoryFile): Promise<HistoryFile> {
    const [row] = await this.db
      .insert(paypayHistoryFiles)
      .values(f)
      .onConflictDoUpdate({
        target: [paypayHistoryFiles.source, paypayHistoryFiles.businessDate],
        set: { objectKey: f.objectKey, rowCount: f.rowCount, sha256: f.sha256, createdBy: f.createdBy, updatedAt: f.updatedAt },
      })
      .returning()
    return toFile(row!)
  }

  async findFile(id: string): Promise<HistoryFile | null> {
    const [row] = await this.db.select().from(paypayHistoryFiles).where(eq(paypayHistoryFiles.id, id))
    return row ? toFile(row) : null
  }

  async findFileFor(source: HistorySource, businessDate: string): Promise<HistoryFile | null> {
    const [row] = await this.db
      .select()
      .from(paypayHistoryFiles)
      .where(and(eq(paypayHistoryFiles.source, source), eq(paypayHistoryFiles.businessDate, businessDate)))
    return row ? toFile(row) : null
  }

  /** The page and the total in one statement. */
  async listFiles(f: { source?: HistorySource; limit: number; offset: number }): Promise<{ files: HistoryFile[]; total: number }> {
    const where = f.source ? sql`where source = ${f.source}::text` : sql``
    const r = await one<{ files: Record<string, unknown>[]; total: number }>(
      this.db,
      sql`select ${jsonRows(sql`select * from paypay_history_files ${where} order by business_date desc, source asc limit ${f.limit}::int offset ${f.offset}::int`)} as files,
        (select count(*)::int from paypay_history_files ${where}) as total`,
    )
    return { files: r.files.map((j) => toFile(fromJson(paypayHistoryFiles, j))), total: r.total }
  }
}
