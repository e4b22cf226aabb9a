import { and, asc, eq, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import { auctionAwards, auditLog, paymentSessions, zalopayCallbacks } from '../../db/schema.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Db } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import type { AwardId } from '../domain/auction.ts'
import {
  sessionLifecycle,
  type PaymentSession,
  type PaymentSessionId,
  type SessionEvent,
  type SessionStatus,
} from '../domain/payment-session.ts'
import type { Refund } from '../domain/refund.ts'
import type { PaymentSessionRepository } from '../ports.ts'
import { auditInsertFrom, ts } from '../../platform/unit-of-work-sql.ts'
import { json, refundInsertFrom, toSession } from './drizzle-rows.ts'

const LIVE_SESSION = ['CREATED', 'PENDING', 'PAID'] as const

type Json = Record<string, unknown>

export class DrizzlePaymentSessionRepository implements PaymentSessionRepository {
  constructor(private readonly db: Db) {}

  async open(s: PaymentSession, audit: AuditEntry): Promise<{ session: PaymentSession; created: boolean } | { awardGone: true }> {
    return this.db.transaction(async (tx) => {
      const [award] = await tx
        .select({ status: auctionAwards.status })
        .from(auctionAwards)
        .where(eq(auctionAwards.id, s.awardId))
        .for('update')
      const [live] = await tx
        .select()
        .from(paymentSessions)
        .where(and(eq(paymentSessions.awardId, s.awardId), inArray(paymentSessions.status, [...LIVE_SESSION])))
        .limit(1)
      if (live) return { session: toSession(live), created: false }
      if (award?.status !== 'AWARDED') return { awardGone: true as const }
      const [row] = await tx
        .insert(paymentSessions)
        .values({ ...s, nights: [...s.nights] })
        .returning()
      await tx.insert(auditLog).values(auditRow(audit))
      return { session: toSession(row!), created: true }
    })
  }

  async find(id: PaymentSessionId): Promise<PaymentSession | null> {
    const [r] = await this.db.select().from(paymentSessions).where(eq(paymentSessions.id, id))
    return r ? toSession(r) : null
  }

  async findByAppTransId(appTransId: string): Promise<PaymentSession | null> {
    const [r] = await this.db.select().from(paymentSessions).where(eq(paymentSessions.appTransId, appTransId))
    return r ? toSession(r) : null
  }

  async findByTransactionId(transactionId: string): Promise<PaymentSession | null> {
    const [r] = await this.db.select().from(paymentSessions).where(eq(paymentSessions.transactionId, transactionId))
    return r ? toSession(r) : null
  }

  async findLive(awardId: AwardId): Promise<PaymentSession | null> {
    const [r] = await this.db
      .select()
      .from(paymentSessions)
      .where(and(eq(paymentSessions.awardId, awardId), inArray(paymentSessions.status, [...LIVE_SESSION])))
      .limit(1)
    return r ? toSession(r) : null
  }

  /**
   * One statement (a data-modifying CTE): the guarded move of the session, the award it pays, the
   * refund row and the audit row, each written only if the move happened. The award's update
   * names "auction_awards" in the statement text (the chaos test finds it blocked there).
   */
  async transition(
    id: PaymentSessionId,
    from: SessionStatus,
    event: SessionEvent,
    patch: { orderUrl?: string; zpTransToken?: string; transactionId?: string; paidAt?: Date; failureReason?: string },
    audit: AuditEntry,
    refund?: Refund,
  ): Promise<PaymentSession | null> {
    const to = sessionLifecycle.transition(from, event)
    if (!to.ok) return null
    const update = this.db
      .update(paymentSessions)
      .set({ ...patch, status: to.value, updatedAt: audit.at })
      .where(and(eq(paymentSessions.id, id), eq(paymentSessions.status, from)))
      .returning()
    const parts: SQL[] = [sql`moved as (${update.getSQL()})`]
    if (event === 'pay') {
      parts.push(sql`paid_award as (
        update ${auctionAwards} w set status = 'PAID', updated_at = ${ts(audit.at)}
        from moved where w.id = moved.award_id and w.status = 'AWARDED' returning w.id)`)
    }
    if (refund) parts.push(sql`refund as (${refundInsertFrom(refund, 'moved')})`)
    parts.push(sql`audit as (${auditInsertFrom({ ...audit, data: { ...audit.data, from, to: to.value } }, 'moved')})`)
    const [r] = await this.db.execute<{ session: Json }>(sql`with ${sql.join(parts, sql`, `)} select to_jsonb(moved) as session from moved`)
    return r ? json.session(r.session) : null
  }

  /** One statement: the session read, and the callback stored only if the session exists. */
  async receiveCallback(
    appTransId: string,
    transactionId: string,
    data: Record<string, unknown>,
    at: Date,
  ): Promise<{ session: PaymentSession; first: boolean } | null> {
    const [r] = await this.db.execute<{ session: Json; first: boolean }>(sql`
      with s as (select * from ${paymentSessions} where app_trans_id = ${appTransId}),
      stored as (
        insert into ${zalopayCallbacks} (app_trans_id, zp_trans_id, data, received_at)
        select ${appTransId}, ${transactionId}, ${JSON.stringify(data)}::jsonb, ${ts(at)} from s
        on conflict do nothing returning 1)
      select to_jsonb(s) as session, exists (select 1 from stored) as first from s`)
    return r ? { session: json.session(r.session), first: Boolean(r.first) } : null
  }

  async findToReconcile(now: Date, openedBefore: Date, limit: number): Promise<PaymentSession[]> {
    const rows = await this.db
      .select()
      .from(paymentSessions)
      .where(
        and(
          inArray(paymentSessions.status, ['CREATED', 'PENDING']),
          or(lt(paymentSessions.createdAt, openedBefore), lte(paymentSessions.expiresAt, now)),
        ),
      )
      .orderBy(asc(paymentSessions.createdAt))
      .limit(limit)
    return rows.map(toSession)
  }

  async findPaidWithoutBooking(paidBefore: Date, limit: number): Promise<PaymentSessionId[]> {
    const rows = await this.db
      .select({ id: paymentSessions.id })
      .from(paymentSessions)
      .where(
        and(
          eq(paymentSessions.status, 'PAID'),
          lt(paymentSessions.paidAt, paidBefore),
          sql`not exists (select 1 from bookings b where b.payment_session_id = ${paymentSessions.id})`,
        ),
      )
      .limit(limit)
    return rows.map((r) => r.id as PaymentSessionId)
  }
}
