import { and, asc, desc, eq, isNull, lt, lte, or, sql } from 'drizzle-orm'
import { auditLog, paypayCashbacks } from '../../db/schema.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Db } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import { cashbackLifecycle, type Cashback, type CashbackEvent, type CashbackStatus, type MerchantCashbackId } from '../domain/cashback.ts'
import type { NewLedgerEntry } from '../domain/ledger.ts'
import type { CashbackChange, CashbackRepository, ExchangeCreated } from '../ports.ts'
import { applyLedgerEntry, InsufficientPoints } from './drizzle-points-ledger.ts'
import { isUniqueViolation } from './pg-errors.ts'

type Row = typeof paypayCashbacks.$inferSelect

export const toCashback = (r: Row): Cashback => ({
  merchantCashbackId: r.merchantCashbackId as MerchantCashbackId,
  userId: r.userId,
  userAuthorizationId: r.userAuthorizationId,
  points: r.points,
  amount: r.amount,
  currency: 'JPY',
  status: r.status as CashbackStatus,
  giveAttempts: r.giveAttempts,
  lastError: r.lastError,
  failureCode: r.failureCode,
  paypayCashbackId: r.paypayCashbackId,
  reversalReserved: r.reversalReserved,
  reversedAmount: r.reversedAmount,
  requestedAt: r.requestedAt,
  acceptedAt: r.acceptedAt,
  completedAt: r.completedAt,
  updatedAt: r.updatedAt,
})

export class DrizzleCashbackRepository implements CashbackRepository {
  constructor(private readonly db: Db) {}

  async createExchange(c: Cashback, debit: NewLedgerEntry, requestKey: string | null, audit: AuditEntry): Promise<ExchangeCreated> {
    try {
      return await this.db.transaction(async (tx): Promise<ExchangeCreated> => {
        if (requestKey !== null) {
          const [earlier] = await tx
            .select()
            .from(paypayCashbacks)
            .where(and(eq(paypayCashbacks.userId, c.userId), eq(paypayCashbacks.requestKey, requestKey)))
          if (earlier) return { kind: 'replayed', cashback: toCashback(earlier) }
        }
        await tx.insert(paypayCashbacks).values({
          merchantCashbackId: c.merchantCashbackId,
          userId: c.userId,
          userAuthorizationId: c.userAuthorizationId,
          points: c.points,
          amount: c.amount,
          currency: c.currency,
          status: c.status,
          requestKey,
          requestedAt: c.requestedAt,
          updatedAt: c.updatedAt,
        })
        const applied = await applyLedgerEntry(tx, debit)
        if (applied.kind !== 'applied') throw new Error(`exchange debit ${debit.idempotencyKey} was not fresh`)
        await tx.insert(auditLog).values(auditRow(audit))
        return { kind: 'created', cashback: c }
      })
    } catch (e) {
      if (e instanceof InsufficientPoints) return { kind: 'insufficient', balance: e.balance }
      if (requestKey !== null && isUniqueViolation(e)) {
        // A concurrent request with the same key committed first.
        const [earlier] = await this.db
          .select()
          .from(paypayCashbacks)
          .where(and(eq(paypayCashbacks.userId, c.userId), eq(paypayCashbacks.requestKey, requestKey)))
        if (earlier) return { kind: 'replayed', cashback: toCashback(earlier) }
      }
      throw e
    }
  }

  async find(id: MerchantCashbackId): Promise<Cashback | null> {
    const [row] = await this.db.select().from(paypayCashbacks).where(eq(paypayCashbacks.merchantCashbackId, id))
    return row ? toCashback(row) : null
  }

  async findForUser(id: MerchantCashbackId, userId: string): Promise<Cashback | null> {
    const [row] = await this.db
      .select()
      .from(paypayCashbacks)
      .where(and(eq(paypayCashbacks.merchantCashbackId, id), eq(paypayCashbacks.userId, userId)))
    return row ? toCashback(row) : null
  }

  async list(f: { userId?: string; status?: CashbackStatus; limit: number; before?: MerchantCashbackId }): Promise<Cashback[]> {
    const rows = await this.db
      .select()
      .from(paypayCashbacks)
      .where(
        and(
          f.userId !== undefined ? eq(paypayCashbacks.userId, f.userId) : undefined,
          f.status !== undefined ? eq(paypayCashbacks.status, f.status) : undefined,
          f.before !== undefined ? lt(paypayCashbacks.merchantCashbackId, f.before) : undefined,
        ),
      )
      .orderBy(desc(paypayCashbacks.merchantCashbackId))
      .limit(f.limit)
    return rows.map(toCashback)
  }

  async claim(id: MerchantCashbackId, status: CashbackStatus, token: string, now: Date, leaseUntil: Date): Promise<{ attempts: number } | null> {
    const [row] = await this.db
      .update(paypayCashbacks)
      .set({ leaseToken: token, leaseUntil, giveAttempts: sql`${paypayCashbacks.giveAttempts} + 1`, updatedAt: now })
      .where(
        and(
          eq(paypayCashbacks.merchantCashbackId, id),
          eq(paypayCashbacks.status, status),
          or(isNull(paypayCashbacks.leaseUntil), lt(paypayCashbacks.leaseUntil, now)),
        ),
      )
      .returning({ attempts: paypayCashbacks.giveAttempts })
    return row ?? null
  }

  async release(id: MerchantCashbackId, token: string, lastError: string | null): Promise<void> {
    await this.db
      .update(paypayCashbacks)
      .set({ leaseToken: null, leaseUntil: null, lastError: lastError?.slice(0, 500) ?? null })
      .where(and(eq(paypayCashbacks.merchantCashbackId, id), eq(paypayCashbacks.leaseToken, token)))
  }

  async transition(id: MerchantCashbackId, from: CashbackStatus, event: CashbackEvent, change: CashbackChange): Promise<CashbackStatus | null> {
    const to = cashbackLifecycle.transition(from, event)
    if (!to.ok) return null
    const final = cashbackLifecycle.terminal.has(to.value)
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .update(paypayCashbacks)
        .set({
          status: to.value,
          updatedAt: change.at,
          ...(to.value !== 'failed' && { acceptedAt: sql`coalesce(${paypayCashbacks.acceptedAt}, ${change.at.toISOString()}::timestamptz)` }),
          ...(final && { completedAt: change.at }),
          ...(change.failureCode !== undefined && { failureCode: change.failureCode }),
          ...(change.paypayCashbackId !== undefined && { paypayCashbackId: change.paypayCashbackId }),
        })
        .where(and(eq(paypayCashbacks.merchantCashbackId, id), eq(paypayCashbacks.status, from)))
        .returning({ id: paypayCashbacks.merchantCashbackId })
      if (rows.length === 0) return null
      if (change.refund) await applyLedgerEntry(tx, change.refund)
      await tx.insert(auditLog).values(auditRow(change.audit))
      return to.value
    })
  }

  async noteCheck(id: MerchantCashbackId, at: Date, lastError: string | null): Promise<void> {
    await this.db
      .update(paypayCashbacks)
      .set({ lastCheckedAt: at, lastError: lastError?.slice(0, 500) ?? null })
      .where(eq(paypayCashbacks.merchantCashbackId, id))
  }

  async due(status: 'requested' | 'accepted', olderThan: Date, limit: number): Promise<Cashback[]> {
    const since = status === 'requested' ? paypayCashbacks.requestedAt : paypayCashbacks.acceptedAt
    const rows = await this.db
      .select()
      .from(paypayCashbacks)
      .where(and(eq(paypayCashbacks.status, status), lte(since, olderThan)))
      .orderBy(sql`${paypayCashbacks.lastCheckedAt} asc nulls first`, asc(since))
      .limit(limit)
    return rows.map(toCashback)
  }
}
