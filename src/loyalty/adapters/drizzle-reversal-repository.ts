import { and, asc, eq, isNull, lt, lte, or, sql } from 'drizzle-orm'
import { auditLog, paypayCashbackReversals, paypayCashbacks } from '../../db/schema.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Db } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import type { CashbackStatus, MerchantCashbackId } from '../domain/cashback.ts'
import { reversalLifecycle, type MerchantCashbackReversalId, type Reversal, type ReversalEvent, type ReversalStatus } from '../domain/reversal.ts'
import type { ReversalChange, ReversalCreated, ReversalRepository } from '../ports.ts'
import { applyLedgerEntry } from './drizzle-points-ledger.ts'
import { isUniqueViolation } from './pg-errors.ts'

type Row = typeof paypayCashbackReversals.$inferSelect

export const toReversal = (r: Row): Reversal => ({
  merchantCashbackReversalId: r.merchantCashbackReversalId as MerchantCashbackReversalId,
  merchantCashbackId: r.merchantCashbackId as MerchantCashbackId,
  userId: r.userId,
  amount: r.amount,
  reversedAmount: r.reversedAmount,
  status: r.status as ReversalStatus,
  reason: r.reason,
  attempts: r.attempts,
  lastError: r.lastError,
  failureCode: r.failureCode,
  paypayReversalId: r.paypayReversalId,
  requestedBy: r.requestedBy,
  requestedAt: r.requestedAt,
  acceptedAt: r.acceptedAt,
  completedAt: r.completedAt,
  updatedAt: r.updatedAt,
})

export class DrizzleReversalRepository implements ReversalRepository {
  constructor(private readonly db: Db) {}

  async create(r: Reversal, requestKey: string | null, audit: AuditEntry): Promise<ReversalCreated> {
    try {
      return await this.db.transaction(async (tx): Promise<ReversalCreated> => {
        // The reservation is the guard: reserved + amount never exceeds what was granted.
        const reserved = await tx
          .update(paypayCashbacks)
          .set({ reversalReserved: sql`${paypayCashbacks.reversalReserved} + ${r.amount}`, updatedAt: r.requestedAt })
          .where(
            and(
              eq(paypayCashbacks.merchantCashbackId, r.merchantCashbackId),
              eq(paypayCashbacks.status, 'succeeded'),
              sql`${paypayCashbacks.reversalReserved} + ${r.amount} <= ${paypayCashbacks.amount}`,
            ),
          )
          .returning({ id: paypayCashbacks.merchantCashbackId })
        if (reserved.length === 0) {
          const [c] = await tx.select().from(paypayCashbacks).where(eq(paypayCashbacks.merchantCashbackId, r.merchantCashbackId))
          return {
            kind: 'not_reversible',
            status: (c?.status as CashbackStatus | undefined) ?? null,
            reversible: c && c.status === 'succeeded' ? c.amount - c.reversalReserved : 0,
          }
        }
        await tx.insert(paypayCashbackReversals).values({
          merchantCashbackReversalId: r.merchantCashbackReversalId,
          merchantCashbackId: r.merchantCashbackId,
          userId: r.userId,
          amount: r.amount,
          status: r.status,
          reason: r.reason,
          requestKey,
          requestedBy: r.requestedBy,
          requestedAt: r.requestedAt,
          updatedAt: r.updatedAt,
        })
        await tx.insert(auditLog).values(auditRow(audit))
        return { kind: 'created', reversal: r }
      })
    } catch (e) {
      if (requestKey !== null && isUniqueViolation(e)) {
        const earlier = await this.findByRequestKey(r.merchantCashbackId, requestKey)
        if (earlier) return { kind: 'replayed', reversal: earlier }
      }
      throw e
    }
  }

  async find(id: MerchantCashbackReversalId): Promise<Reversal | null> {
    const [row] = await this.db.select().from(paypayCashbackReversals).where(eq(paypayCashbackReversals.merchantCashbackReversalId, id))
    return row ? toReversal(row) : null
  }

  async findByRequestKey(cashbackId: MerchantCashbackId, requestKey: string): Promise<Reversal | null> {
    const [row] = await this.db
      .select()
      .from(paypayCashbackReversals)
      .where(and(eq(paypayCashbackReversals.merchantCashbackId, cashbackId), eq(paypayCashbackReversals.requestKey, requestKey)))
    return row ? toReversal(row) : null
  }

  async listForCashback(id: MerchantCashbackId): Promise<Reversal[]> {
    const rows = await this.db
      .select()
      .from(paypayCashbackReversals)
      .where(eq(paypayCashbackReversals.merchantCashbackId, id))
      .orderBy(asc(paypayCashbackReversals.merchantCashbackReversalId))
    return rows.map(toReversal)
  }

  async claim(id: MerchantCashbackReversalId, status: ReversalStatus, token: string, now: Date, leaseUntil: Date): Promise<{ attempts: number } | null> {
    const [row] = await this.db
      .update(paypayCashbackReversals)
      .set({ leaseToken: token, leaseUntil, attempts: sql`${paypayCashbackReversals.attempts} + 1`, updatedAt: now })
      .where(
        and(
          eq(paypayCashbackReversals.merchantCashbackReversalId, id),
          eq(paypayCashbackReversals.status, status),
          or(isNull(paypayCashbackReversals.leaseUntil), lt(paypayCashbackReversals.leaseUntil, now)),
        ),
      )
      .returning({ attempts: paypayCashbackReversals.attempts })
    return row ?? null
  }

  async release(id: MerchantCashbackReversalId, token: string, lastError: string | null): Promise<void> {
    await this.db
      .update(paypayCashbackReversals)
      .set({ leaseToken: null, leaseUntil: null, lastError: lastError?.slice(0, 500) ?? null })
      .where(and(eq(paypayCashbackReversals.merchantCashbackReversalId, id), eq(paypayCashbackReversals.leaseToken, token)))
  }

  async transition(id: MerchantCashbackReversalId, from: ReversalStatus, event: ReversalEvent, change: ReversalChange): Promise<ReversalStatus | null> {
    const to = reversalLifecycle.transition(from, event)
    if (!to.ok) return null
    return this.db.transaction(async (tx) => {
      const reversed = to.value === 'succeeded' ? (change.reversedAmount ?? null) : null
      const [row] = await tx
        .update(paypayCashbackReversals)
        .set({
          status: to.value,
          updatedAt: change.at,
          ...(to.value !== 'failed' && {
            acceptedAt: sql`coalesce(${paypayCashbackReversals.acceptedAt}, ${change.at.toISOString()}::timestamptz)`,
          }),
          ...(reversalLifecycle.terminal.has(to.value) && { completedAt: change.at }),
          ...(to.value === 'succeeded' && { reversedAmount: sql`least(${paypayCashbackReversals.amount}, ${reversed ?? 0})` }),
          ...(change.failureCode !== undefined && { failureCode: change.failureCode }),
          ...(change.paypayReversalId !== undefined && { paypayReversalId: change.paypayReversalId }),
        })
        .where(and(eq(paypayCashbackReversals.merchantCashbackReversalId, id), eq(paypayCashbackReversals.status, from)))
        .returning({ amount: paypayCashbackReversals.amount, reversed: paypayCashbackReversals.reversedAmount, cashbackId: paypayCashbackReversals.merchantCashbackId })
      if (!row) return null
      if (to.value === 'succeeded' || to.value === 'failed') {
        const taken = to.value === 'succeeded' ? (row.reversed ?? 0) : 0
        await tx
          .update(paypayCashbacks)
          .set({
            reversalReserved: sql`${paypayCashbacks.reversalReserved} - ${row.amount - taken}`,
            reversedAmount: sql`${paypayCashbacks.reversedAmount} + ${taken}`,
            updatedAt: change.at,
          })
          .where(eq(paypayCashbacks.merchantCashbackId, row.cashbackId))
      }
      if (change.credit) await applyLedgerEntry(tx, change.credit)
      await tx.insert(auditLog).values(auditRow(change.audit))
      return to.value
    })
  }

  async noteCheck(id: MerchantCashbackReversalId, at: Date, lastError: string | null): Promise<void> {
    await this.db
      .update(paypayCashbackReversals)
      .set({ lastCheckedAt: at, lastError: lastError?.slice(0, 500) ?? null })
      .where(eq(paypayCashbackReversals.merchantCashbackReversalId, id))
  }

  async due(status: 'requested' | 'accepted', olderThan: Date, limit: number): Promise<Reversal[]> {
    const since = status === 'requested' ? paypayCashbackReversals.requestedAt : paypayCashbackReversals.acceptedAt
    const rows = await this.db
      .select()
      .from(paypayCashbackReversals)
      .where(and(eq(paypayCashbackReversals.status, status), lte(since, olderThan)))
      .orderBy(sql`${paypayCashbackReversals.lastCheckedAt} asc nulls first`, asc(since))
      .limit(limit)
    return rows.map(toReversal)
  }
}
