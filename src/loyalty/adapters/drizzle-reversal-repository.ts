import { and, asc, eq, lte, sql, type SQL } from 'drizzle-orm'
import { paypayCashbackReversals, paypayCashbacks } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import type { Cashback, CashbackStatus, MerchantCashbackId } from '../domain/cashback.ts'
import {
  reversalLifecycle,
  type MerchantCashbackReversalId,
  type Reversal,
  type ReversalEvent,
  type ReversalStatus,
} from '../domain/reversal.ts'
import type { Claimed, ReversalChange, ReversalCreated, ReversalRepository } from '../ports.ts'
import { isUniqueViolation } from './pg-errors.ts'
import { cashbackFromJson, reversalFromJson, toReversal } from './record-rows.ts'
import { auditCte, claimLease, fromJson, ledgerCtes, notCheckedSince, noteSets, one, ts } from './sql-units.ts'

type Json = Record<string, unknown>

const LEASED = {
  table: paypayCashbackReversals,
  name: 'paypay_cashback_reversals',
  id: 'merchant_cashback_reversal_id',
  attempts: 'attempts',
} as const

export class DrizzleReversalRepository implements ReversalRepository {
  constructor(private readonly db: Db) {}

  async create(r: Reversal, requestKey: string | null, audit: AuditEntry): Promise<ReversalCreated> {
    let res: { created: Json | null; cashback: Json | null }
    try {
      // The reservation is the guard: reserved + amount never exceeds what was granted.
      res = await one(
        this.db,
        sql`with reserved as (
            update paypay_cashbacks set reversal_reserved = reversal_reserved + ${r.amount}::int, updated_at = ${ts(r.requestedAt)}
            where merchant_cashback_id = ${r.merchantCashbackId}::text and status = 'succeeded' and reversal_reserved + ${r.amount}::int <= amount
            returning merchant_cashback_id),
          created as (
            insert into paypay_cashback_reversals (merchant_cashback_reversal_id, merchant_cashback_id, user_id, amount, status, reason, request_key, requested_by, requested_at, updated_at)
            select ${r.merchantCashbackReversalId}::text, merchant_cashback_id, ${r.userId}::text, ${r.amount}::int, ${r.status}::text, ${r.reason}::text,
              ${requestKey}::text, ${r.requestedBy}::text, ${ts(r.requestedAt)}, ${ts(r.updatedAt)}
            from reserved
            returning *),
          ${auditCte('audit', 'created', audit)}
        select (select row_to_json(created) from created) as created,
          (select row_to_json(c) from paypay_cashbacks c where c.merchant_cashback_id = ${r.merchantCashbackId}::text) as cashback`,
      )
    } catch (e) {
      if (requestKey !== null && isUniqueViolation(e, 'paypay_cashback_reversals_request_key_uq')) {
        const { prior } = await this.loadForReversal(r.merchantCashbackId, requestKey)
        if (prior) return { kind: 'replayed', reversal: prior }
      }
      throw e
    }
    if (res.created) return { kind: 'created', reversal: reversalFromJson(res.created) }
    const c = res.cashback ? fromJson(paypayCashbacks, res.cashback) : null
    return {
      kind: 'not_reversible',
      status: (c?.status as CashbackStatus | undefined) ?? null,
      reversible: c && c.status === 'succeeded' ? c.amount - c.reversalReserved : 0,
    }
  }

  async loadForReversal(
    cashbackId: MerchantCashbackId,
    requestKey: string | null,
  ): Promise<{ cashback: Cashback | null; prior: Reversal | null }> {
    const r = await one<{ cashback: Json | null; prior: Json | null }>(
      this.db,
      sql`select (select row_to_json(c) from paypay_cashbacks c where c.merchant_cashback_id = ${cashbackId}::text) as cashback,
        (select row_to_json(r) from paypay_cashback_reversals r where r.merchant_cashback_id = ${cashbackId}::text and r.request_key = ${requestKey}::text) as prior`,
    )
    return {
      cashback: cashbackFromJson(r.cashback),
      prior: r.prior ? reversalFromJson(r.prior) : null,
    }
  }

  async find(id: MerchantCashbackReversalId): Promise<Reversal | null> {
    const [row] = await this.db.select().from(paypayCashbackReversals).where(eq(paypayCashbackReversals.merchantCashbackReversalId, id))
    return row ? toReversal(row) : null
  }

  async claim(
    id: MerchantCashbackReversalId,
    status: ReversalStatus,
    token: string,
    now: Date,
    leaseUntil: Date,
  ): Promise<Claimed<Reversal>> {
    const c = await claimLease(this.db, LEASED, id, status, token, now, leaseUntil)
    if (c.kind === 'claimed') return { kind: 'claimed', record: toReversal(c.row) }
    return c.kind === 'not_found' ? c : { kind: c.kind, status: c.status as ReversalStatus }
  }

  async release(id: MerchantCashbackReversalId, token: string, lastError: string | null): Promise<void> {
    await this.db
      .update(paypayCashbackReversals)
      .set({ leaseToken: null, leaseUntil: null, lastError: lastError?.slice(0, 500) ?? null })
      .where(and(eq(paypayCashbackReversals.merchantCashbackReversalId, id), eq(paypayCashbackReversals.leaseToken, token)))
  }

  /**
   * One statement: the guarded status update, then, gated on it, the cashback's reservation
   * settled (what was taken back counted, the rest released), the credit's ledger entry (once per
   * reversal: a second one fails the statement) and the audit row.
   */
  async transition(
    id: MerchantCashbackReversalId,
    from: ReversalStatus,
    event: ReversalEvent,
    change: ReversalChange,
  ): Promise<ReversalStatus | null> {
    const to = reversalLifecycle.transition(from, event)
    if (!to.ok) return null
    const at = ts(change.at)
    const sets: SQL[] = [sql`status = ${to.value}::text`, sql`updated_at = ${at}`]
    if (to.value !== 'failed') sets.push(sql`accepted_at = coalesce(accepted_at, ${at})`)
    if (reversalLifecycle.terminal.has(to.value)) sets.push(sql`completed_at = ${at}`)
    if (to.value === 'succeeded') sets.push(sql`reversed_amount = least(amount, ${change.reversedAmount ?? 0}::int)`)
    if (change.failureCode !== undefined) sets.push(sql`failure_code = ${change.failureCode}::text`)
    if (change.paypayReversalId !== undefined) sets.push(sql`paypay_reversal_id = ${change.paypayReversalId}::text`)
    sets.push(...noteSets(change))
    const effects: SQL[] = []
    if (to.value === 'succeeded' || to.value === 'failed') {
      const taken = to.value === 'succeeded' ? sql`coalesce(m.reversed_amount, 0)` : sql`0`
      effects.push(sql`settled as (
        update paypay_cashbacks c set reversal_reserved = c.reversal_reserved - (m.amount - ${taken}),
          reversed_amount = c.reversed_amount + ${taken}, updated_at = ${at}
        from moved m where c.merchant_cashback_id = m.merchant_cashback_id)`)
    }
    if (change.credit) effects.push(ledgerCtes('credit', 'moved', change.credit))
    effects.push(auditCte('audit', 'moved', change.audit))
    const r = await one<{ moved: number }>(
      this.db,
      sql`with moved as (
          update paypay_cashback_reversals set ${sql.join(sets, sql`, `)}
          where merchant_cashback_reversal_id = ${id}::text and status = ${from}::text
          returning amount, reversed_amount, merchant_cashback_id),
        ${sql.join(effects, sql`, `)}
      select count(*)::int as moved from moved`,
    )
    return r.moved > 0 ? to.value : null
  }

  async noteCheck(id: MerchantCashbackReversalId, at: Date, lastError: string | null): Promise<void> {
    await this.db
      .update(paypayCashbackReversals)
      .set({ lastCheckedAt: at, lastError: lastError?.slice(0, 500) ?? null })
      .where(eq(paypayCashbackReversals.merchantCashbackReversalId, id))
  }

  async due(status: 'requested' | 'accepted', olderThan: Date, limit: number, checkedBefore?: Date): Promise<Reversal[]> {
    const t = paypayCashbackReversals
    const since = status === 'requested' ? t.requestedAt : t.acceptedAt
    const rows = await this.db
      .select()
      .from(t)
      .where(and(eq(t.status, status), lte(since, olderThan), notCheckedSince(t.lastCheckedAt, checkedBefore)))
      .orderBy(sql`${paypayCashbackReversals.lastCheckedAt} asc nulls first`, asc(since))
      .limit(limit)
    return rows.map(toReversal)
  }
}
