import { and, asc, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm'
import {
  auctionAwards,
  auctionRunnersUp,
  auctions,
  auditLog,
  bookingConversations,
  bookingEmailOutbox,
  bookings,
  paymentSessions,
  properties,
  propertyNights,
  zalopayCallbacks,
  zalopayRefunds,
} from '../../db/schema.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Db, Tx } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import {
  awardLifecycle,
  type Auction,
  type AuctionId,
  type Award,
  type AwardEvent,
  type AwardId,
  type AwardStatus,
  type RunnerUp,
} from '../domain/auction.ts'
import { bookingLifecycle, type Booking, type BookingId, type BookingStatus } from '../domain/booking.ts'
import type { Night } from '../domain/nights.ts'
import {
  sessionLifecycle,
  type PaymentSession,
  type PaymentSessionId,
  type SessionEvent,
  type SessionStatus,
} from '../domain/payment-session.ts'
import type { Property, PropertyId } from '../domain/property.ts'
import { refundLifecycle, type Refund, type RefundEvent, type RefundId, type RefundReason, type RefundStatus } from '../domain/refund.ts'
import type {
  AuctionRepository,
  BookingRepository,
  NewAward,
  OutboxEmail,
  PaymentSessionRepository,
  PropertyRepository,
  RefundRepository,
} from '../ports.ts'

/** A Postgres array literal for `${pgArray(xs)}::date[]` / `::text[]` parameters. */
const pgArray = (xs: readonly string[]) => `{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`
const nightsOf = (v: unknown): Night[] => (Array.isArray(v) ? v.map(String) : String(v ?? '').replace(/^\{|\}$/g, '').split(',').filter(Boolean))

/** Thrown inside a transaction to roll it back with an answer for the caller. */
class Refused<T> extends Error {
  constructor(readonly answer: T) {
    super('refused')
  }
}

async function rollbackWith<T, R>(run: () => Promise<R>): Promise<R | T> {
  try {
    return await run()
  } catch (e) {
    if (e instanceof Refused) return e.answer as T
    throw e
  }
}

// ---- properties -----------------------------------------------------------------------------------

type PropertyRow = typeof properties.$inferSelect
const toProperty = (r: PropertyRow): Property => ({
  id: r.id as PropertyId,
  name: r.name,
  hostId: r.hostId,
  maxGuests: r.maxGuests,
  nightlyRate: r.nightlyRate,
  currency: r.currency,
  createdAt: r.createdAt,
})

export class DrizzlePropertyRepository implements PropertyRepository {
  constructor(private readonly db: Db) {}

  async create(p: Property, audit: AuditEntry): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(properties).values({ ...p })
      await tx.insert(auditLog).values(auditRow(audit))
    })
  }

  async find(id: PropertyId): Promise<Property | null> {
    const [r] = await this.db.select().from(properties).where(eq(properties.id, id))
    return r ? toProperty(r) : null
  }

  async claimedNights(propertyId: PropertyId, nights: readonly Night[]): Promise<Night[]> {
    if (nights.length === 0) return []
    const rows = await this.db.execute<{ night: string }>(sql`
      select n::text as night from unnest(${pgArray(nights)}::date[]) as n
      where exists (select 1 from property_nights pn where pn.property_id = ${propertyId} and pn.night = n)
         or exists (select 1 from auctions a where a.property_id = ${propertyId} and a.status = 'OPEN' and n = any(a.nights))
         or exists (
           select 1 from auction_awards w join auctions a on a.id = w.auction_id
           where a.property_id = ${propertyId} and n = any(w.nights)
             and (w.status in ('OFFERED', 'AWARDED')
               or (w.status = 'PAID' and not exists (
                 select 1 from payment_sessions ps join bookings b on b.payment_session_id = ps.id where ps.award_id = w.id))))
      order by n`)
    return rows.map((r) => r.night)
  }

  async calendar(propertyId: PropertyId, from: Night, to: Night): Promise<Array<{ night: Night; bookingId: string }>> {
    const rows = await this.db
      .select({ night: propertyNights.night, bookingId: propertyNights.bookingId })
      .from(propertyNights)
      .where(and(eq(propertyNights.propertyId, propertyId), sql`${propertyNights.night} between ${from}::date and ${to}::date`))
      .orderBy(asc(propertyNights.night))
    return rows
  }
}

// ---- auctions and awards --------------------------------------------------------------------------

type AuctionRow = typeof auctions.$inferSelect
type AwardRow = typeof auctionAwards.$inferSelect

const toAuction = (r: AuctionRow): Auction => ({
  id: r.id as AuctionId,
  propertyId: r.propertyId as PropertyId,
  nights: nightsOf(r.nights),
  status: r.status,
  endsAt: r.endsAt,
  createdAt: r.createdAt,
})

const toAward = (r: AwardRow): Award => ({
  id: r.id as AwardId,
  auctionId: r.auctionId as AuctionId,
  rootAwardId: r.rootAwardId as AwardId,
  kind: r.kind,
  userId: r.userId,
  nights: nightsOf(r.nights),
  amount: r.amount,
  currency: r.currency,
  status: r.status as AwardStatus,
  paymentDeadline: r.paymentDeadline,
  responseDeadline: r.responseDeadline,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
})

const awardValues = (a: Award): typeof auctionAwards.$inferInsert => ({
  id: a.id,
  auctionId: a.auctionId,
  rootAwardId: a.rootAwardId,
  kind: a.kind,
  userId: a.userId,
  nights: [...a.nights],
  amount: a.amount,
  currency: a.currency,
  status: a.status,
  paymentDeadline: a.paymentDeadline,
  responseDeadline: a.responseDeadline,
  createdAt: a.createdAt,
  updatedAt: a.updatedAt,
})

const LIVE_SESSION = ['CREATED', 'PENDING', 'PAID'] as const

export class DrizzleAuctionRepository implements AuctionRepository {
  constructor(private readonly db: Db) {}

  async create(a: Auction, audit: AuditEntry): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(auctions).values({ ...a, nights: [...a.nights] })
      await tx.insert(auditLog).values(auditRow(audit))
    })
  }

  async find(id: AuctionId): Promise<Auction | null> {
    const [r] = await this.db.select().from(auctions).where(eq(auctions.id, id))
    return r ? toAuction(r) : null
  }

  async recordResults(auctionId: AuctionId, awards: readonly NewAward[], at: Date, audit: AuditEntry): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const closed = await tx
        .update(auctions)
        .set({ status: 'CLOSED', closedAt: at })
        .where(and(eq(auctions.id, auctionId), eq(auctions.status, 'OPEN')))
        .returning({ id: auctions.id })
      if (closed.length === 0) return false
      if (awards.length > 0) await tx.insert(auctionAwards).values(awards.map((a) => awardValues(a.award)))
      const runners = awards.flatMap((a) => a.runnersUp)
      if (runners.length > 0) await tx.insert(auctionRunnersUp).values(runners.map((r) => ({ ...r })))
      await tx.insert(auditLog).values(auditRow(audit))
      return true
    })
  }

  async findAward(id: AwardId): Promise<Award | null> {
    const [r] = await this.db.select().from(auctionAwards).where(eq(auctionAwards.id, id))
    return r ? toAward(r) : null
  }

  async latestClaim(auctionId: AuctionId, userId: string): Promise<Award | null> {
    const [r] = await this.db
      .select()
      .from(auctionAwards)
      .where(and(eq(auctionAwards.auctionId, auctionId), eq(auctionAwards.userId, userId)))
      .orderBy(
        sql`case ${auctionAwards.status} when 'AWARDED' then 0 when 'PAID' then 1 when 'OFFERED' then 2 else 3 end`,
        desc(auctionAwards.createdAt),
      )
      .limit(1)
    return r ? toAward(r) : null
  }

  async listForUser(userId: string): Promise<Award[]> {
    const rows = await this.db.select().from(auctionAwards).where(eq(auctionAwards.userId, userId)).orderBy(desc(auctionAwards.id)).limit(100)
    return rows.map(toAward)
  }

  async transition(id: AwardId, from: AwardStatus, event: AwardEvent, patch: { paymentDeadline?: Date }, audit: AuditEntry): Promise<Award | null> {
    const to = awardLifecycle.transition(from, event)
    if (!to.ok) return null
    return this.db.transaction(async (tx) => {
      const [r] = await tx
        .update(auctionAwards)
        .set({ status: to.value, updatedAt: audit.at, ...(patch.paymentDeadline && { paymentDeadline: patch.paymentDeadline }) })
        .where(and(eq(auctionAwards.id, id), eq(auctionAwards.status, from)))
        .returning()
      if (!r) return null
      await tx.insert(auditLog).values(auditRow({ ...audit, data: { ...audit.data, from, to: to.value } }))
      return toAward(r)
    })
  }

  async lapseUnpaid(id: AwardId, audit: AuditEntry): Promise<Award | null> {
    const to = awardLifecycle.transition('AWARDED', 'lapse')
    if (!to.ok) return null
    return this.db.transaction(async (tx) => {
      // Lock the award first: a payment being opened for it holds the same lock.
      const [locked] = await tx.select({ id: auctionAwards.id }).from(auctionAwards).where(and(eq(auctionAwards.id, id), eq(auctionAwards.status, 'AWARDED'))).for('update')
      if (!locked) return null
      const [live] = await tx
        .select({ id: paymentSessions.id })
        .from(paymentSessions)
        .where(and(eq(paymentSessions.awardId, id), inArray(paymentSessions.status, [...LIVE_SESSION])))
        .limit(1)
      if (live) return null
      const [r] = await tx.update(auctionAwards).set({ status: to.value, updatedAt: audit.at }).where(eq(auctionAwards.id, id)).returning()
      await tx.insert(auditLog).values(auditRow({ ...audit, data: { ...audit.data, from: 'AWARDED', to: to.value } }))
      return r ? toAward(r) : null
    })
  }

  async offerNext(rootAwardId: AwardId, make: (r: RunnerUp) => Award, audit: AuditEntry): Promise<Award | null> {
    return this.db.transaction(async (tx) => {
      const [root] = await tx.select({ id: auctionAwards.id }).from(auctionAwards).where(eq(auctionAwards.id, rootAwardId)).for('update')
      if (!root) return null
      const [live] = await tx
        .select({ id: auctionAwards.id })
        .from(auctionAwards)
        .where(and(eq(auctionAwards.rootAwardId, rootAwardId), inArray(auctionAwards.status, ['OFFERED', 'AWARDED', 'PAID'])))
        .limit(1)
      if (live) return null
      const [next] = await tx
        .select()
        .from(auctionRunnersUp)
        .where(
          and(
            eq(auctionRunnersUp.rootAwardId, rootAwardId),
            isNull(auctionRunnersUp.offeredAt),
            sql`${auctionRunnersUp.userId} not in (select user_id from auction_awards where root_award_id = ${rootAwardId})`,
          ),
        )
        .orderBy(asc(auctionRunnersUp.rank))
        .limit(1)
      if (!next) return null
      const offer = make({ rootAwardId: next.rootAwardId as AwardId, rank: next.rank, userId: next.userId, amount: next.amount })
      await tx
        .update(auctionRunnersUp)
        .set({ offeredAt: offer.createdAt })
        .where(and(eq(auctionRunnersUp.rootAwardId, rootAwardId), eq(auctionRunnersUp.rank, next.rank)))
      await tx.insert(auctionAwards).values(awardValues(offer))
      await tx.insert(auditLog).values(auditRow({ ...audit, data: { ...audit.data, user_id: offer.userId, rank: next.rank } }))
      return offer
    })
  }

  async findOverdue(now: Date, limit: number): Promise<Award[]> {
    const rows = await this.db
      .select()
      .from(auctionAwards)
      .where(
        or(
          and(eq(auctionAwards.status, 'AWARDED'), lte(auctionAwards.paymentDeadline, now)),
          and(eq(auctionAwards.status, 'OFFERED'), lte(auctionAwards.responseDeadline, now)),
        ),
      )
      .orderBy(asc(auctionAwards.updatedAt))
      .limit(limit)
    return rows.map(toAward)
  }
}

// ---- payment sessions -----------------------------------------------------------------------------

type SessionRow = typeof paymentSessions.$inferSelect

const toSession = (r: SessionRow): PaymentSession => ({
  id: r.id as PaymentSessionId,
  auctionId: r.auctionId as AuctionId,
  awardId: r.awardId as AwardId,
  userId: r.userId,
  amount: r.amount,
  currency: r.currency,
  nights: nightsOf(r.nights),
  guestCount: r.guestCount,
  status: r.status as SessionStatus,
  appTransId: r.appTransId,
  appTime: r.appTime,
  description: r.description,
  orderUrl: r.orderUrl,
  zpTransToken: r.zpTransToken,
  transactionId: r.transactionId,
  failureReason: r.failureReason,
  paidAt: r.paidAt,
  expiresAt: r.expiresAt,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
})

const refundValues = (r: Refund): typeof zalopayRefunds.$inferInsert => ({
  id: r.id,
  paymentSessionId: r.paymentSessionId,
  bookingId: r.bookingId,
  mRefundId: r.mRefundId,
  zpTransId: r.transactionId,
  amount: r.amount,
  reason: r.reason,
  status: r.status,
  gatewayRefundId: r.gatewayRefundId,
  requestedAt: r.requestedAt,
  attempts: r.attempts,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
})

export class DrizzlePaymentSessionRepository implements PaymentSessionRepository {
  constructor(private readonly db: Db) {}

  async open(s: PaymentSession, audit: AuditEntry): Promise<{ session: PaymentSession; created: boolean } | { awardGone: true }> {
    return this.db.transaction(async (tx) => {
      const [award] = await tx.select({ status: auctionAwards.status }).from(auctionAwards).where(eq(auctionAwards.id, s.awardId)).for('update')
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
    return this.db.transaction(async (tx) => {
      const [r] = await tx
        .update(paymentSessions)
        .set({ ...patch, status: to.value, updatedAt: audit.at })
        .where(and(eq(paymentSessions.id, id), eq(paymentSessions.status, from)))
        .returning()
      if (!r) return null
      if (event === 'pay') {
        await tx
          .update(auctionAwards)
          .set({ status: 'PAID', updatedAt: audit.at })
          .where(and(eq(auctionAwards.id, r.awardId), eq(auctionAwards.status, 'AWARDED')))
      }
      if (refund) await tx.insert(zalopayRefunds).values(refundValues(refund)).onConflictDoNothing()
      await tx.insert(auditLog).values(auditRow({ ...audit, data: { ...audit.data, from, to: to.value } }))
      return toSession(r)
    })
  }

  async recordCallback(appTransId: string, transactionId: string, data: Record<string, unknown>, at: Date): Promise<boolean> {
    const rows = await this.db
      .insert(zalopayCallbacks)
      .values({ appTransId, zpTransId: transactionId, data, receivedAt: at })
      .onConflictDoNothing()
      .returning({ appTransId: zalopayCallbacks.appTransId })
    return rows.length === 1
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

// ---- bookings -------------------------------------------------------------------------------------

type BookingRow = typeof bookings.$inferSelect

const toBooking = (r: BookingRow): Booking => ({
  id: r.id as BookingId,
  referenceNumber: r.referenceNumber,
  propertyId: r.propertyId as PropertyId,
  propertyName: r.propertyName,
  userId: r.userId,
  hostId: r.hostId,
  paymentSessionId: r.paymentSessionId as PaymentSessionId | null,
  nights: nightsOf(r.nights),
  checkIn: r.checkIn,
  checkOut: r.checkOut,
  guestCount: r.guestCount,
  totalAmount: r.totalAmount,
  currency: r.currency,
  status: r.status as BookingStatus,
  cancelReason: r.cancelReason,
  confirmedPushedAt: r.confirmedPushedAt,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
})

const bookingValues = (b: Booking): typeof bookings.$inferInsert => ({ ...b, nights: [...b.nights] })

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
    .where(and(eq(propertyNights.propertyId, b.propertyId), sql`${propertyNights.night} = any(${pgArray(b.nights)}::date[])`))
  return held.filter((h) => h.bookingId !== b.id).map((h) => h.night).sort()
}

export class DrizzleBookingRepository implements BookingRepository {
  constructor(private readonly db: Db) {}

  async createForPayment(b: Booking, audit: AuditEntry): Promise<Booking> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.insert(bookings).values(bookingValues(b)).onConflictDoNothing({ target: bookings.paymentSessionId }).returning()
      if (row) {
        await tx.insert(auditLog).values(auditRow(audit))
        return toBooking(row)
      }
      const [existing] = await tx.select().from(bookings).where(eq(bookings.paymentSessionId, b.paymentSessionId!))
      return toBooking(existing!)
    })
  }

  async createDirect(b: Booking, audit: AuditEntry): Promise<{ ok: true; booking: Booking } | { ok: false; taken: Night[] }> {
    return rollbackWith<{ ok: false; taken: Night[] }, { ok: true; booking: Booking }>(() =>
      this.db.transaction(async (tx) => {
        const [row] = await tx.insert(bookings).values(bookingValues(b)).returning()
        const taken = await insertNights(tx, b, b.createdAt)
        if (taken.length > 0) throw new Refused({ ok: false as const, taken })
        await tx.insert(auditLog).values(auditRow(audit))
        return { ok: true as const, booking: toBooking(row!) }
      }),
    )
  }

  async find(id: BookingId): Promise<Booking | null> {
    const [r] = await this.db.select().from(bookings).where(eq(bookings.id, id))
    return r ? toBooking(r) : null
  }

  async findByPayment(sessionId: PaymentSessionId): Promise<Booking | null> {
    const [r] = await this.db.select().from(bookings).where(eq(bookings.paymentSessionId, sessionId))
    return r ? toBooking(r) : null
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

  async blockNights(id: BookingId, at: Date, audit: AuditEntry): Promise<{ ok: true; booking: Booking } | { ok: false; taken: Night[] }> {
    const to = bookingLifecycle.transition('PENDING', 'confirm')
    if (!to.ok) throw new Error('booking table lost PENDING -> confirm')
    return rollbackWith<{ ok: false; taken: Night[] }, { ok: true; booking: Booking }>(() =>
      this.db.transaction(async (tx) => {
        const [row] = await tx.select().from(bookings).where(eq(bookings.id, id)).for('update')
        if (!row) throw new Error(`booking ${id} vanished`)
        const booking = toBooking(row)
        if (booking.status !== 'PENDING') return { ok: true as const, booking }
        const taken = await insertNights(tx, booking, at)
        if (taken.length > 0) throw new Refused({ ok: false as const, taken })
        const [confirmed] = await tx.update(bookings).set({ status: to.value, updatedAt: at }).where(eq(bookings.id, id)).returning()
        await tx.insert(auditLog).values(auditRow({ ...audit, data: { ...audit.data, nights: booking.nights } }))
        return { ok: true as const, booking: toBooking(confirmed!) }
      }),
    )
  }

  async cancel(id: BookingId, from: BookingStatus, reason: string, at: Date, audit: AuditEntry, refund?: Refund): Promise<Booking | null> {
    const to = bookingLifecycle.transition(from, 'cancel')
    if (!to.ok) return null
    return this.db.transaction(async (tx) => {
      const [r] = await tx
        .update(bookings)
        .set({ status: to.value, cancelReason: reason, updatedAt: at })
        .where(and(eq(bookings.id, id), eq(bookings.status, from)))
        .returning()
      if (!r) return null
      await tx.delete(propertyNights).where(eq(propertyNights.bookingId, id))
      if (refund) await tx.insert(zalopayRefunds).values(refundValues(refund)).onConflictDoNothing()
      await tx.insert(auditLog).values(auditRow({ ...audit, data: { ...audit.data, from, to: to.value, reason } }))
      return toBooking(r)
    })
  }

  async openConversation(b: Booking, threadId: string, at: Date): Promise<string> {
    await this.db
      .insert(bookingConversations)
      .values({ threadId, bookingId: b.id, guestId: b.userId, hostId: b.hostId, createdAt: at })
      .onConflictDoNothing({ target: bookingConversations.bookingId })
    const [r] = await this.db.select({ threadId: bookingConversations.threadId }).from(bookingConversations).where(eq(bookingConversations.bookingId, b.id))
    return r!.threadId
  }

  async queueEmail(e: OutboxEmail): Promise<boolean> {
    const rows = await this.db
      .insert(bookingEmailOutbox)
      .values({ ...e, status: 'PENDING' })
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
    await this.db.update(bookings).set({ confirmedPushedAt: at }).where(and(eq(bookings.id, id), isNull(bookings.confirmedPushedAt)))
  }

  async findUnfinished(before: Date, limit: number): Promise<Array<{ booking: Booking; conversation: boolean; email: boolean }>> {
    const rows = await this.db.execute<{ id: string; conversation: boolean; email: boolean }>(sql`
      select b.id,
        exists (select 1 from booking_conversations c where c.booking_id = b.id) as conversation,
        exists (select 1 from booking_email_outbox e where e.booking_id = b.id) as email
      from bookings b
      where b.created_at < ${before.toISOString()}::timestamptz
        and (b.status = 'PENDING'
          or (b.status = 'CONFIRMED' and (b.confirmed_pushed_at is null
            or not exists (select 1 from booking_conversations c where c.booking_id = b.id)
            or not exists (select 1 from booking_email_outbox e where e.booking_id = b.id))))
      order by b.created_at
      limit ${limit}`)
    if (rows.length === 0) return []
    const found = await this.db.select().from(bookings).where(inArray(bookings.id, rows.map((r) => r.id)))
    const byId = new Map(found.map((r) => [r.id, toBooking(r)]))
    return rows.flatMap((r) => {
      const booking = byId.get(r.id)
      return booking ? [{ booking, conversation: Boolean(r.conversation), email: Boolean(r.email) }] : []
    })
  }
}

// ---- refunds --------------------------------------------------------------------------------------

type RefundRow = typeof zalopayRefunds.$inferSelect

const toRefund = (r: RefundRow): Refund => ({
  id: r.id as RefundId,
  paymentSessionId: r.paymentSessionId as PaymentSessionId,
  bookingId: r.bookingId as BookingId | null,
  mRefundId: r.mRefundId,
  transactionId: r.zpTransId,
  amount: r.amount,
  reason: r.reason as RefundReason,
  status: r.status as RefundStatus,
  gatewayRefundId: r.gatewayRefundId,
  requestedAt: r.requestedAt,
  attempts: r.attempts,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
})

export class DrizzleRefundRepository implements RefundRepository {
  constructor(private readonly db: Db) {}

  async find(id: RefundId): Promise<Refund | null> {
    const [r] = await this.db.select().from(zalopayRefunds).where(eq(zalopayRefunds.id, id))
    return r ? toRefund(r) : null
  }

  async findForSession(sessionId: PaymentSessionId): Promise<Refund | null> {
    const [r] = await this.db.select().from(zalopayRefunds).where(eq(zalopayRefunds.paymentSessionId, sessionId))
    return r ? toRefund(r) : null
  }

  async request(r: Refund, audit: AuditEntry): Promise<Refund> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.insert(zalopayRefunds).values(refundValues(r)).onConflictDoNothing().returning()
      if (row) {
        await tx.insert(auditLog).values(auditRow(audit))
        return toRefund(row)
      }
      const [existing] = await tx.select().from(zalopayRefunds).where(eq(zalopayRefunds.paymentSessionId, r.paymentSessionId))
      return toRefund(existing!)
    })
  }

  async update(
    id: RefundId,
    from: RefundStatus,
    event: RefundEvent | null,
    patch: { mRefundId?: string; gatewayRefundId?: string; requestedAt?: Date; attempts?: number },
    at: Date,
  ): Promise<Refund | null> {
    let status: RefundStatus = from
    if (event !== null) {
      const to = refundLifecycle.transition(from, event)
      if (!to.ok) return null
      status = to.value
    }
    const [r] = await this.db
      .update(zalopayRefunds)
      .set({ ...patch, status, updatedAt: at })
      .where(and(eq(zalopayRefunds.id, id), eq(zalopayRefunds.status, from)))
      .returning()
    return r ? toRefund(r) : null
  }

  async findOpen(limit: number): Promise<Refund[]> {
    const rows = await this.db
      .select()
      .from(zalopayRefunds)
      .where(inArray(zalopayRefunds.status, ['PENDING', 'PROCESSING']))
      .orderBy(asc(zalopayRefunds.updatedAt))
      .limit(limit)
    return rows.map(toRefund)
  }
}
