import { and, asc, count, desc, eq, gte, inArray, lt } from 'drizzle-orm'
import { paypayCashbackReversals, paypayCashbacks, paypayHistoryFiles } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import { payPayStatusOf, type CashbackStatus } from '../domain/cashback.ts'
import type { HistoryFile, HistoryRow, HistorySource } from '../domain/history.ts'
import type { HistoryRepository } from '../ports.ts'
import { isUniqueViolation } from './pg-errors.ts'

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
  status: payPayStatusOf(c.status as CashbackStatus),
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
  status: payPayStatusOf(r.status as CashbackStatus),
  requestedAt: r.requestedAt.toISOString(),
  completedAt: r.completedAt?.toISOString() ?? null,
})

const byRequestedAt = (a: HistoryRow, b: HistoryRow) => (a.requestedAt ?? '').localeCompare(b.requestedAt ?? '')

export class DrizzleHistoryRepository implements HistoryRepository {
  constructor(private readonly db: Db) {}

  async transactionsBetween(from: Date, to: Date): Promise<HistoryRow[]> {
    const [cashbacks, reversals] = await Promise.all([
      this.db
        .select()
        .from(paypayCashbacks)
        .where(and(gte(paypayCashbacks.requestedAt, from), lt(paypayCashbacks.requestedAt, to)))
        .orderBy(asc(paypayCashbacks.requestedAt)),
      this.db
        .select()
        .from(paypayCashbackReversals)
        .where(and(gte(paypayCashbackReversals.requestedAt, from), lt(paypayCashbackReversals.requestedAt, to)))
        .orderBy(asc(paypayCashbackReversals.requestedAt)),
    ])
    return [...cashbacks.map(cashbackRow), ...reversals.map(reversalRow)].sort(byRequestedAt)
  }

  async transactionsFor(ids: { cashbackIds: readonly string[]; reversalIds: readonly string[] }): Promise<HistoryRow[]> {
    const [cashbacks, reversals] = await Promise.all([
      ids.cashbackIds.length ? this.db.select().from(paypayCashbacks).where(inArray(paypayCashbacks.merchantCashbackId, [...ids.cashbackIds])) : [],
      ids.reversalIds.length
        ? this.db.select().from(paypayCashbackReversals).where(inArray(paypayCashbackReversals.merchantCashbackReversalId, [...ids.reversalIds]))
        : [],
    ])
    return [...cashbacks.map(cashbackRow), ...reversals.map(reversalRow)].sort(byRequestedAt)
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

  async listFiles(f: { source?: HistorySource; limit: number; offset: number }): Promise<{ files: HistoryFile[]; total: number }> {
    const where = f.source ? eq(paypayHistoryFiles.source, f.source) : undefined
    const [rows, [total]] = await Promise.all([
      this.db
        .select()
        .from(paypayHistoryFiles)
        .where(where)
        .orderBy(desc(paypayHistoryFiles.businessDate), asc(paypayHistoryFiles.source))
        .limit(f.limit)
        .offset(f.offset),
      this.db.select({ n: count() }).from(paypayHistoryFiles).where(where),
    ])
    return { files: rows.map(toFile), total: total?.n ?? 0 }
  }
}
