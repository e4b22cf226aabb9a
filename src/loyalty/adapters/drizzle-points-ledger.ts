import { and, desc, eq, lt, sql } from 'drizzle-orm'
import { pointsAccounts, pointsLedger } from '../../db/schema.ts'
import type { Db, Tx } from '../../platform/db.ts'
import { prefixedId } from '../../shared/ids.ts'
import type { LedgerApplied, LedgerEntry, LedgerEntryId, LedgerKind, NewLedgerEntry } from '../domain/ledger.ts'
import type { PointsLedger } from '../ports.ts'

type Row = typeof pointsLedger.$inferSelect

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

/** Thrown inside a transaction to roll it back when a debit exceeds the balance. */
export class InsufficientPoints extends Error {
  constructor(readonly balance: number) {
    super('insufficient points')
    this.name = 'InsufficientPoints'
  }
}

/**
 * Appends one entry and moves the balance, inside the caller's transaction:
 * 1. the entry is inserted unless its idempotency key exists (a concurrent twin waits on the
 *    unique index and then finds it: `replayed`, nothing moves);
 * 2. the balance moves with a guarded update (`balance + points >= 0`, and a CHECK behind it), so
 *    concurrent debits serialise on the account row and none overdraws: a debit that does not fit
 *    throws InsufficientPoints, rolling the whole transaction back;
 * 3. the entry records the balance it produced.
 */
export async function applyLedgerEntry(tx: Tx, e: NewLedgerEntry): Promise<LedgerApplied> {
  const id = prefixedId('ple', e.at.getTime())
  const inserted = await tx
    .insert(pointsLedger)
    .values({
      id,
      userId: e.userId,
      kind: e.kind,
      points: e.points,
      balanceAfter: 0,
      idempotencyKey: e.idempotencyKey,
      referenceType: e.referenceType,
      referenceId: e.referenceId,
      reason: e.reason,
      actor: e.actor,
      requestId: e.requestId,
      createdAt: e.at,
    })
    .onConflictDoNothing({ target: pointsLedger.idempotencyKey })
    .returning({ id: pointsLedger.id })
  if (inserted.length === 0) {
    const [existing] = await tx.select().from(pointsLedger).where(eq(pointsLedger.idempotencyKey, e.idempotencyKey))
    return { kind: 'replayed', entry: toLedgerEntry(existing!) }
  }
  let balance: number
  if (e.points > 0) {
    const [row] = await tx
      .insert(pointsAccounts)
      .values({ userId: e.userId, balance: e.points, updatedAt: e.at })
      .onConflictDoUpdate({
        target: pointsAccounts.userId,
        set: { balance: sql`${pointsAccounts.balance} + ${e.points}`, updatedAt: e.at },
      })
      .returning({ balance: pointsAccounts.balance })
    balance = row!.balance
  } else {
    const [row] = await tx
      .update(pointsAccounts)
      .set({ balance: sql`${pointsAccounts.balance} + ${e.points}`, updatedAt: e.at })
      .where(and(eq(pointsAccounts.userId, e.userId), sql`${pointsAccounts.balance} + ${e.points} >= 0`))
      .returning({ balance: pointsAccounts.balance })
    if (!row) {
      const [current] = await tx.select({ balance: pointsAccounts.balance }).from(pointsAccounts).where(eq(pointsAccounts.userId, e.userId))
      throw new InsufficientPoints(current?.balance ?? 0)
    }
    balance = row.balance
  }
  const [entry] = await tx.update(pointsLedger).set({ balanceAfter: balance }).where(eq(pointsLedger.id, id)).returning()
  return { kind: 'applied', entry: toLedgerEntry(entry!) }
}

export class DrizzlePointsLedger implements PointsLedger {
  constructor(private readonly db: Db) {}

  async apply(entry: NewLedgerEntry): Promise<LedgerApplied> {
    try {
      return await this.db.transaction((tx) => applyLedgerEntry(tx, entry))
    } catch (e) {
      if (e instanceof InsufficientPoints) return { kind: 'insufficient', balance: e.balance }
      throw e
    }
  }

  async balance(userId: string): Promise<number> {
    const [row] = await this.db.select({ balance: pointsAccounts.balance }).from(pointsAccounts).where(eq(pointsAccounts.userId, userId))
    return row?.balance ?? 0
  }

  async history(userId: string, page: { limit: number; before?: LedgerEntryId }): Promise<LedgerEntry[]> {
    const rows = await this.db
      .select()
      .from(pointsLedger)
      .where(and(eq(pointsLedger.userId, userId), page.before ? lt(pointsLedger.id, page.before) : undefined))
      .orderBy(desc(pointsLedger.id))
      .limit(page.limit)
    return rows.map(toLedgerEntry)
  }
}
