import { and, asc, desc, eq, isNull, lt, or, sql } from 'drizzle-orm'
import {
  auditLog,
  bookingConversations,
  bookingEmailOutbox,
  bookings,
  paymentSessions,
  properties,
  propertyNights,
} from '../../db/schema.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Db, Tx } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import { bookingLifecycle, type Booking, type BookingId, type BookingStatus } from '../domain/booking.ts'
import type { Night } from '../domain/nights.ts'
import type { PaymentSession, PaymentSessionId } from '../domain/payment-session.ts'
import type { Property } from '../domain/property.ts'
import type { Refund } from '../domain/refund.ts'
import type { BookingRepository, OutboxEmail } from '../ports.ts'
import { pgTextArray } from '../../platform/pg-array.ts'
import { auditInsertFrom, auditJsonb, ts } from '../../platform/unit-of-work-sql.ts'
import { bookingValues, json, nightsOf, refundInsertFrom, toBooking } from './drizzle-rows.ts'

type Json = Record<string, unknown>
type Blocked = { ok: true; booking: Booking } | { ok: false; taken: Night[] }

/** Thrown inside a transaction to roll it back with an answer for the caller. */
class Refused extends Error {
  constructor(readonly taken: Night[]) {
    super('refused')
  }
}

/** Inserts the booking's nights; the ones another booking holds are reported (and nothing is kept). */
async function insertNights(tx: Tx, b: Pick<Booking, 'id' | 'propertyId' | 'nights'>, at: Date): Promise<Night[]> {
  const inserted = await tx
    .insert(propertyNights)
    .values(b.nights.map((night) => ({ propertyId: b.propertyId, night, bookingId: b.id, createdAt: at })))
    .onConflictDoNothing()
    .returning({ night: propertyNights.night })
  if (inserted.length === b.nights.length) return []
  const held = await tx
    .select({ night: propertyNights.night, bookingId: propertyNights.bookingId })
    .from(propertyNights)
    .where(and(eq(propertyNights.propertyId, b.propertyId), sql`${propertyNights.night} = any(${pgTextArray(b.nights)}::date[])`))
  return held
    .filter((h) => h.bookingId !== b.id)
    .map((h) => h.night)
    .sort()
}

export class DrizzleBookingRepository implements BookingRepository {
  constructor(private readonly db: Db) {}

  /**
   * One statement: the booking (once per payment) and its audit row; a booking that exists already
   * is answered instead. Only when a concurrent insert won meanwhile (not yet visible to that
   * statement) is it read again.
   */
  async createForPayment(b: Booking, audit: AuditEntry): Promise<Booking> {
    const insert = this.db.insert(bookings).values(bookingValues(b)).onConflictDoNothing({ target: bookings.paymentSessionId }).returning()
    const [r] = await this.db.execute<{ booking: Json }>(sql`
      with created as (${insert.getSQL()}),
      audit as (${auditInsertFrom(audit, 'created')})
      select to_jsonb(created) as booking from created
      union all
      select to_jsonb(e) from ${bookings} e where e.payment_session_id = ${b.paymentSessionId} and not exists (select 1 from created)`)
    if (r) return json.booking(r.booking)
    const existing = await this.findByPayment(b.paymentSessionId!)
    if (!existing) throw new Error(`booking of payment ${b.paymentSessionId} neither created nor found`)
    return existing
  }

  async createDirect(b: Booking, audit: AuditEntry): Promise<Blocked> {
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx.insert(bookings).values(bookingValues(b)).returning()
        const taken = await insertNights(tx, b, b.createdAt)
        if (taken.length > 0) throw new Refused(taken)
        await tx.insert(auditLog).values(auditRow(audit))
        return { ok: true as const, booking: toBooking(row!) }
      })
    } catch (e) {
      if (e instanceof Refused) return { ok: false, taken: e.taken }
      throw e
    }
  }

  async find(id: BookingId): Promise<Booking | null> {
    const [r] = await this.db.select().from(bookings).where(eq(bookings.id, id))
    return r ? toBooking(r) : null
  }

  async findByPayment(sessionId: PaymentSessionId): Promise<Booking | null> {
    const [r] = await this.db.select().from(bookings).where(eq(bookings.paymentSessionId, sessionId))
    return r ? toBooking(r) : null
  }

  async forPayment(
    sessionId: PaymentSessionId,
  ): Promise<{ session: PaymentSession; booking: Booking | null; property: Property | null } | null> {
    const [r] = await this.db.execute<{ session: Json; booking: Json | null; property: Json | null }>(sql`
      select to_jsonb(s) as session, to_jsonb(b) as booking, to_jsonb(p) as property
      from ${paymentSessions} s
      left join ${bookings} b on b.payment_session_id = s.id
      left join auctions a on a.id = s.auction_id
      left join ${properties} p on p.id = a.property_id
      where s.id = ${sessionId}`)
    if (!r) return null
    return {
      session: json.session(r.session),
      booking: r.booking ? json.booking(r.booking) : null,
      property: r.property ? json.property(r.property) : null,
    }
  }

  async listForUser(userId: string, page: { limit: number; before?: BookingId }): Promise<Booking[]> {
    const rows = await this.db
      .select()
      .from(bookings)
      .where(and(eq(bookings.userId, userId), page.before ? lt(bookings.id, page.before) : undefined))
      .orderBy(desc(bookings.id))
      .limit(page.limit)
    return rows.map(toBooking)
  }

  /** One call of bookings_block_nights (drizzle/0012): all the nights and the confirmation, or none. */
  async blockNights(id: BookingId, at: Date, audit: AuditEntry): Promise<Blocked> {
    const to = bookingLifecycle.transition('PENDING', 'confirm')
    if (!to.ok) throw new Error('booking table lost PENDING -> confirm')
    const [r] = await this.db.execute<{ result: { ok: boolean; booking?: Json; taken?: string[] } | null }>(
      sql`select bookings_block_nights(${id}, ${to.value}, ${ts(at)}, ${auditJsonb(audit)}::jsonb) as result`,
    )
    const result = r?.result
    if (!result) throw new Error(`booking ${id} vanished`)
    return result.ok ? { ok: true, booking: json.booking(result.booking!) } : { ok: false, taken: nightsOf(result.taken).sort() }
  }

  /** One statement: the guarded cancel, the nights freed, the refund row and the audit row. */
  async cancel(
    id: BookingId,
    from: BookingStatus,
    reason: string,
    at: Date,
    audit: AuditEntry,
    refund?: Refund,
  ): Promise<{ booking: Booking; refund: Refund | null } | null> {
    const to = bookingLifecycle.transition(from, 'cancel')
    if (!to.ok) return null
    const update = this.db
      .update(bookings)
      .set({ status: to.value, cancelReason: reason, updatedAt: at })
      .where(and(eq(bookings.id, id), eq(bookings.status, from)))
      .returning()
    const [r] = await this.db.execute<{ booking: Json; refund: Json | null }>(sql`
      with moved as (${update.getSQL()}),
      freed as (delete from ${propertyNights} where booking_id = (select id from moved)),
      ${refund ? sql`refund as (${refundInsertFrom(refund, 'moved')}),` : sql``}
      audit as (${auditInsertFrom({ ...audit, data: { ...audit.data, from, to: to.value, reason } }, 'moved')})
      select to_jsonb(moved) as booking,
        coalesce(${refund ? sql`(select to_jsonb(n) from refund n),` : sql``}
          (select to_jsonb(o) from zalopay_refunds o where o.payment_session_id = moved.payment_session_id)) as refund
      from moved`)
    return r ? { booking: json.booking(r.booking), refund: r.refund ? json.refund(r.refund) : null } : null
  }

  /** One statement: the thread created once, or the one that exists (read again only after losing a race). */
  async openConversation(b: Booking, threadId: string, at: Date): Promise<string> {
    const insert = this.db
      .insert(bookingConversations)
      .values({ threadId, bookingId: b.id, guestId: b.userId, hostId: b.hostId, createdAt: at })
      .onConflictDoNothing({ target: bookingConversations.bookingId })
      .returning({ threadId: bookingConversations.threadId })
    const [r] = await this.db.execute<{ thread_id: string }>(sql`
      with created as (${insert.getSQL()})
      select thread_id from created
      union all
      select thread_id from ${bookingConversations} where booking_id = ${b.id} and not exists (select 1 from created)`)
    if (r) return r.thread_id
    const [again] = await this.db
      .select({ threadId: bookingConversations.threadId })
      .from(bookingConversations)
      .where(eq(bookingConversations.bookingId, b.id))
    return again!.threadId
  }

  async queueEmail(e: OutboxEmail, claimedAt?: Date): Promise<boolean> {
    const rows = await this.db
      .insert(bookingEmailOutbox)
      .values({ ...e, status: 'PENDING', ...(claimedAt && { sentAt: claimedAt, attempts: 1 }) })
      .onConflictDoNothing()
      .returning({ id: bookingEmailOutbox.id })
    return rows.length === 1
  }

  async pendingEmails(limit: number): Promise<OutboxEmail[]> {
    const rows = await this.db
      .select()
      .from(bookingEmailOutbox)
      .where(and(eq(bookingEmailOutbox.status, 'PENDING'), lt(bookingEmailOutbox.attempts, 20)))
      .orderBy(asc(bookingEmailOutbox.createdAt))
      .limit(limit)
    return rows.map((r) => ({
      id: r.id,
      bookingId: r.bookingId as BookingId,
      template: r.template,
      recipientUserId: r.recipientUserId,
      subject: r.subject,
      body: r.body,
      createdAt: r.createdAt,
    }))
  }

  /** While PENDING, `sent_at` holds the claim: when the email was last handed to the mailer. */
  async claimEmail(id: string, now: Date, leaseMs: number): Promise<boolean> {
    const lapsed = new Date(now.getTime() - leaseMs).toISOString()
    const claimed = await this.db
      .update(bookingEmailOutbox)
      .set({ sentAt: now, attempts: sql`${bookingEmailOutbox.attempts} + 1` })
      .where(
        and(
          eq(bookingEmailOutbox.id, id),
          eq(bookingEmailOutbox.status, 'PENDING'),
          or(isNull(bookingEmailOutbox.sentAt), sql`${bookingEmailOutbox.sentAt} < ${lapsed}::timestamptz`),
        ),
      )
      .returning({ id: bookingEmailOutbox.id })
    return claimed.length > 0
  }

  async markEmailSent(id: string, at: Date): Promise<void> {
    await this.db
      .update(bookingEmailOutbox)
      .set({ status: 'SENT', sentAt: at })
      .where(and(eq(bookingEmailOutbox.id, id), eq(bookingEmailOutbox.status, 'PENDING')))
  }

  async releaseEmail(id: string): Promise<void> {
    await this.db
      .update(bookingEmailOutbox)
      .set({ sentAt: null })
      .where(and(eq(bookingEmailOutbox.id, id), eq(bookingEmailOutbox.status, 'PENDING')))
  }

  async markConfirmedPushed(id: BookingId, at: Date): Promise<void> {
    await this.db
      .update(bookings)
      .set({ confirmedPushedAt: at })
      .where(and(eq(bookings.id, id), isNull(bookings.confirmedPushedAt)))
  }

  async findUnfinished(before: Date, limit: number): Promise<Array<{ booking: Booking; conversation: boolean; email: boolean }>> {
    const rows = await this.db.execute<{ booking: Json; conversation: boolean; email: boolean }>(sql`
      select to_jsonb(b) as booking,
        exists (select 1 from booking_conversations c where c.booking_id = b.id) as conversation,
        exists (select 1 from booking_email_outbox e where e.booking_id = b.id) as email
      from ${bookings} b
      where b.created_at < ${before.toISOString()}::timestamptz
        and (b.status = 'PENDING'
          or (b.status = 'CONFIRMED' and (b.confirmed_pushed_at is null
            or not exists (select 1 from booking_conversations c where c.booking_id = b.id)
            or not exists (select 1 from booking_email_outbox e where e.booking_id = b.id))))
      order by b.created_at
      limit ${limit}`)
    return rows.map((r) => ({ booking: json.booking(r.booking), conversation: Boolean(r.conversation), email: Boolean(r.email) }))
  }
}
