import { and, asc, desc, eq, lte, or, sql } from 'drizzle-orm'
import { auctionAwards, auctionRunnersUp, auctions, auditLog } from '../../db/schema.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Db } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import {
  awardLifecycle,
  type Auction,
  type AuctionId,
  type Award,
  type AwardEvent,
  type AwardId,
  type AwardStatus,
} from '../domain/auction.ts'
import type { AuctionRepository, NewAward, NextOffer } from '../ports.ts'
import { auditInsertFrom, auditJsonb, ts } from '../../platform/unit-of-work-sql.ts'
import { awardValues, json, toAuction, toAward } from './drizzle-rows.ts'

type Json = Record<string, unknown>

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
    const rows = await this.db
      .select()
      .from(auctionAwards)
      .where(eq(auctionAwards.userId, userId))
      .orderBy(desc(auctionAwards.id))
      .limit(100)
    return rows.map(toAward)
  }

  /** One statement: the guarded update and its audit row (written only if the update was). */
  async transition(
    id: AwardId,
    from: AwardStatus,
    event: AwardEvent,
    patch: { paymentDeadline?: Date },
    audit: AuditEntry,
  ): Promise<Award | null> {
    const to = awardLifecycle.transition(from, event)
    if (!to.ok) return null
    const update = this.db
      .update(auctionAwards)
      .set({ status: to.value, updatedAt: audit.at, ...(patch.paymentDeadline && { paymentDeadline: patch.paymentDeadline }) })
      .where(and(eq(auctionAwards.id, id), eq(auctionAwards.status, from)))
      .returning()
    const [r] = await this.db.execute<{ award: Json }>(sql`
      with moved as (${update.getSQL()}),
      audit as (${auditInsertFrom({ ...audit, data: { ...audit.data, from, to: to.value } }, 'moved')})
      select to_jsonb(moved) as award from moved`)
    return r ? json.award(r.award) : null
  }

  /** One call of bookings_lapse_award (drizzle/0012): it locks the award, as opening a payment does. */
  async lapseUnpaid(id: AwardId, audit: AuditEntry): Promise<Award | null> {
    const to = awardLifecycle.transition('AWARDED', 'lapse')
    if (!to.ok) return null
    const entry = auditJsonb({ ...audit, data: { ...audit.data, from: 'AWARDED', to: to.value } })
    const [r] = await this.db.execute<{ award: Json | null }>(
      sql`select bookings_lapse_award(${id}, ${to.value}, ${ts(audit.at)}, ${entry}::jsonb) as award`,
    )
    return r?.award ? json.award(r.award) : null
  }

  async nextOffer(rootAwardId: AwardId): Promise<NextOffer | null> {
    const [r] = await this.db.execute<{ root: Json; property_name: string | null; live_claim: boolean; runner: Json | null }>(sql`
      select to_jsonb(w) as root, p.name as property_name,
        exists (select 1 from ${auctionAwards} l where l.root_award_id = w.id and l.status in ('OFFERED', 'AWARDED', 'PAID')) as live_claim,
        (select to_jsonb(r) from ${auctionRunnersUp} r
          where r.root_award_id = w.id and r.offered_at is null
            and r.user_id not in (select user_id from ${auctionAwards} c where c.root_award_id = w.id)
          order by r.rank limit 1) as runner
      from ${auctionAwards} w
      left join ${auctions} a on a.id = w.auction_id
      left join properties p on p.id = a.property_id
      where w.id = ${rootAwardId}`)
    if (!r) return null
    const runner = r.runner
    return {
      root: json.award(r.root),
      propertyName: r.property_name ?? '',
      liveClaim: Boolean(r.live_claim),
      runnerUp: runner
        ? {
            rootAwardId: String(runner['root_award_id']) as AwardId,
            rank: Number(runner['rank']),
            userId: String(runner['user_id']),
            amount: Number(runner['amount']),
          }
        : null,
    }
  }

  /** One call of bookings_commit_offer (drizzle/0012): the root award locked, its guards checked. */
  async commitOffer(offer: Award, rank: number, audit: AuditEntry): Promise<boolean> {
    const v = awardValues(offer)
    const row = JSON.stringify({
      id: v.id,
      auction_id: v.auctionId,
      root_award_id: v.rootAwardId,
      kind: v.kind,
      user_id: v.userId,
      nights: v.nights,
      amount: v.amount,
      currency: v.currency,
      status: v.status,
      payment_deadline: v.paymentDeadline?.toISOString() ?? null,
      response_deadline: v.responseDeadline?.toISOString() ?? null,
      created_at: v.createdAt.toISOString(),
      updated_at: v.updatedAt.toISOString(),
    })
    const [r] = await this.db.execute<{ ok: boolean }>(
      sql`select bookings_commit_offer(${row}::jsonb, ${rank}::int, ${auditJsonb({ ...audit, data: { ...audit.data, user_id: offer.userId, rank } })}::jsonb) as ok`,
    )
    return Boolean(r?.ok)
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
