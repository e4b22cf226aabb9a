import { and, asc, desc, eq, gt, lt, lte, sql, type SQL } from 'drizzle-orm'
import { paypayCashbacks, paypayLinks } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import { cashbackLifecycle, type Cashback, type CashbackEvent, type CashbackStatus, type MerchantCashbackId } from '../domain/cashback.ts'
import type { NewLedgerEntry } from '../domain/ledger.ts'
import type { Reversal } from '../domain/reversal.ts'
import type { CashbackChange, CashbackRepository, Claimed, ExchangeAttempt, ExchangeDraft } from '../ports.ts'
import { balanceOf } from './drizzle-points-ledger.ts'
import { toLink } from './drizzle-link-repository.ts'
import { isUniqueViolation } from './pg-errors.ts'
import { cashbackFromJson, reversalFromJson, toCashback } from './record-rows.ts'
import { auditCte, claimLease, fromJson, jsonRows, ledgerCtes, notCheckedSince, noteSets, one, ts } from './sql-units.ts'

type Json = Record<string, unknown>

const LEASED = { table: paypayCashbacks, name: 'paypay_cashbacks', id: 'merchant_cashback_id', attempts: 'give_attempts' } as const

export class DrizzleCashbackRepository implements CashbackRepository {
  constructor(private readonly db: Db) {}

  /**
   * The link, the earlier cashback under this request key and the balance are read in the same
   * statement that writes: the debit is gated on a live link and an unused key, and the cashback,
   * its ledger entry and its audit row on the debit. A twin with the same key that commits first
   * trips the (user_id, request_key) index; the statement runs again and finds it as `prior`.
   */
  async exchange(d: ExchangeDraft, debit: NewLedgerEntry, audit: AuditEntry): Promise<ExchangeAttempt> {
    const query = sql`with link as (select * from paypay_links where user_id = ${d.userId}::text),
        prior as (select * from paypay_cashbacks where user_id = ${d.userId}::text and request_key = ${d.requestKey}::text),
        live as (
          select user_authorization_id from link
          where status = 'linked' and (expires_at is null or expires_at > ${ts(d.at)}) and not exists (select 1 from prior)),
        ${ledgerCtes('debit', 'live', debit)},
        cb as (
          insert into paypay_cashbacks (merchant_cashback_id, user_id, user_authorization_id, points, amount, currency, status, request_key, requested_at, updated_at)
          select ${d.merchantCashbackId}::text, ${d.userId}::text, live.user_authorization_id, ${d.points}::int, ${d.amount}::int, 'JPY', 'requested',
            ${d.requestKey}::text, ${ts(d.at)}, ${ts(d.at)}
          from live, debit_acct
          returning *),
        ${auditCte('audit', 'cb', audit)}
      select (select row_to_json(link) from link) as link, (select row_to_json(prior) from prior) as prior,
        (select row_to_json(cb) from cb) as created, ${balanceOf(d.userId)} as balance`
    let r: { link: Json | null; prior: Json | null; created: Json | null; balance: number }
    try {
      r = await one(this.db, query)
    } catch (e) {
      if (!isUniqueViolation(e, 'paypay_cashbacks_request_key_uq')) throw e
      r = await one(this.db, query)
    }
    return {
      link: r.link ? toLink(fromJson(paypayLinks, r.link)) : null,
      prior: cashbackFromJson(r.prior),
      created: cashbackFromJson(r.created),
      balance: r.balance,
    }
  }

  async find(id: MerchantCashbackId): Promise<Cashback | null> {
    const [row] = await this.db.select().from(paypayCashbacks).where(eq(paypayCashbacks.merchantCashbackId, id))
    return row ? toCashback(row) : null
  }

  async findWithReversals(id: MerchantCashbackId): Promise<{ cashback: Cashback; reversals: Reversal[] } | null> {
    const r = await one<{ cashback: Json; reversals: Json[] } | undefined>(
      this.db,
      sql`select row_to_json(c) as cashback, ${jsonRows(
        sql`select * from paypay_cashback_reversals where merchant_cashback_id = ${id}::text order by merchant_cashback_reversal_id`,
      )} as reversals
      from paypay_cashbacks c where c.merchant_cashback_id = ${id}::text`,
    )
    if (!r) return null
    return { cashback: cashbackFromJson(r.cashback)!, reversals: r.reversals.map(reversalFromJson) }
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

  async claim(id: MerchantCashbackId, status: CashbackStatus, token: string, now: Date, leaseUntil: Date): Promise<Claimed<Cashback>> {
    const c = await claimLease(this.db, LEASED, id, status, token, now, leaseUntil)
    if (c.kind === 'claimed') return { kind: 'claimed', record: toCashback(c.row) }
    return c.kind === 'not_found' ? c : { kind: c.kind, status: c.status as CashbackStatus }
  }

  async release(id: MerchantCashbackId, token: string, lastError: string | null): Promise<void> {
    await this.db
      .update(paypayCashbacks)
      .set({ leaseToken: null, leaseUntil: null, lastError: lastError?.slice(0, 500) ?? null })
      .where(and(eq(paypayCashbacks.merchantCashbackId, id), eq(paypayCashbacks.leaseToken, token)))
  }

  /**
   * One statement: the guarded status update (status = `from`), then, gated on it, the refund's
   * ledger entry (its key exists once per cashback: a second one fails the statement), the link's
   * extension, the audit row. Nothing happens when a concurrent change moved the cashback first.
   */
  async transition(
    id: MerchantCashbackId,
    from: CashbackStatus,
    event: CashbackEvent,
    change: CashbackChange,
  ): Promise<CashbackStatus | null> {
    const to = cashbackLifecycle.transition(from, event)
    if (!to.ok) return null
    const at = ts(change.at)
    const sets: SQL[] = [sql`status = ${to.value}::text`, sql`updated_at = ${at}`]
    if (to.value !== 'failed') sets.push(sql`accepted_at = coalesce(accepted_at, ${at})`)
    if (cashbackLifecycle.terminal.has(to.value)) sets.push(sql`completed_at = ${at}`)
    if (change.failureCode !== undefined) sets.push(sql`failure_code = ${change.failureCode}::text`)
    if (change.paypayCashbackId !== undefined) sets.push(sql`paypay_cashback_id = ${change.paypayCashbackId}::text`)
    sets.push(...noteSets(change))
    const effects: SQL[] = []
    if (change.refund) effects.push(ledgerCtes('refund', 'moved', change.refund))
    if (change.extendLinkUntil) {
      const until = ts(change.extendLinkUntil)
      effects.push(sql`extended as (
        update paypay_links l set expires_at = greatest(coalesce(l.expires_at, ${until}), ${until}), updated_at = ${at}
        from moved m where l.user_authorization_id = m.user_authorization_id and l.status = 'linked')`)
    }
    effects.push(auditCte('audit', 'moved', change.audit))
    const r = await one<{ moved: number }>(
      this.db,
      sql`with moved as (
          update paypay_cashbacks set ${sql.join(sets, sql`, `)}
          where merchant_cashback_id = ${id}::text and status = ${from}::text
          returning merchant_cashback_id, user_authorization_id),
        ${sql.join(effects, sql`, `)}
      select count(*)::int as moved from moved`,
    )
    return r.moved > 0 ? to.value : null
  }

  async noteCheck(id: MerchantCashbackId, at: Date, lastError: string | null): Promise<void> {
    await this.db
      .update(paypayCashbacks)
      .set({ lastCheckedAt: at, lastError: lastError?.slice(0, 500) ?? null })
      .where(eq(paypayCashbacks.merchantCashbackId, id))
  }

  async due(status: 'requested' | 'accepted', olderThan: Date, limit: number, checkedBefore?: Date): Promise<Cashback[]> {
    const t = paypayCashbacks
    const since = status === 'requested' ? t.requestedAt : t.acceptedAt
    const rows = await this.db
      .select()
      .from(t)
      .where(and(eq(t.status, status), lte(since, olderThan), notCheckedSince(t.lastCheckedAt, checkedBefore)))
      .orderBy(sql`${t.lastCheckedAt} asc nulls first`, asc(since))
      .limit(limit)
    return rows.map(toCashback)
  }

  /** Keyset over the id (time-ordered): a run that re-drives page after page never sees a row twice. */
  async pendingGrants(olderThan: Date, after: MerchantCashbackId | null, limit: number): Promise<Cashback[]> {
    const t = paypayCashbacks
    const rows = await this.db
      .select()
      .from(t)
      .where(and(eq(t.status, 'requested'), lte(t.requestedAt, olderThan), after === null ? undefined : gt(t.merchantCashbackId, after)))
      .orderBy(asc(t.merchantCashbackId))
      .limit(limit)
    return rows.map(toCashback)
  }
}
