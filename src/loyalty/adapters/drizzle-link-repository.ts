import { and, eq, sql } from 'drizzle-orm'
import { paypayLinks, paypayLinkSessions } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import type { LinkSession, LinkSessionStatus, LinkStatus, PayPayLink } from '../domain/link.ts'
import type { LinkRepository } from '../ports.ts'
import { auditCte, one, ts } from './sql-units.ts'

export const toLink = (r: typeof paypayLinks.$inferSelect): PayPayLink => ({
  userId: r.userId,
  userAuthorizationId: r.userAuthorizationId,
  status: r.status as LinkStatus,
  profileIdentifier: r.profileIdentifier,
  expiresAt: r.expiresAt,
  linkedAt: r.linkedAt,
  updatedAt: r.updatedAt,
})

const toSession = (r: typeof paypayLinkSessions.$inferSelect): LinkSession => ({
  id: r.id,
  userId: r.userId,
  nonce: r.nonce,
  status: r.status as LinkSessionStatus,
  linkUrl: r.linkUrl,
  expiresAt: r.expiresAt,
  createdAt: r.createdAt,
  userAuthorizationId: r.userAuthorizationId,
})

export class DrizzleLinkRepository implements LinkRepository {
  constructor(private readonly db: Db) {}

  async findLink(userId: string): Promise<PayPayLink | null> {
    const [row] = await this.db.select().from(paypayLinks).where(eq(paypayLinks.userId, userId))
    return row ? toLink(row) : null
  }

  async createSession(s: LinkSession): Promise<void> {
    await this.db.insert(paypayLinkSessions).values({
      id: s.id,
      userId: s.userId,
      nonce: s.nonce,
      status: s.status,
      linkUrl: s.linkUrl,
      userAuthorizationId: s.userAuthorizationId,
      expiresAt: s.expiresAt,
      createdAt: s.createdAt,
    })
  }

  async setSessionLinkUrl(id: string, linkUrl: string): Promise<void> {
    await this.db.update(paypayLinkSessions).set({ linkUrl }).where(eq(paypayLinkSessions.id, id))
  }

  async findSession(id: string): Promise<LinkSession | null> {
    const [row] = await this.db.select().from(paypayLinkSessions).where(eq(paypayLinkSessions.id, id))
    return row ? toSession(row) : null
  }

  async closeSession(id: string, to: 'declined' | 'failed', at: Date): Promise<boolean> {
    const rows = await this.db
      .update(paypayLinkSessions)
      .set({ status: to, completedAt: at })
      .where(and(eq(paypayLinkSessions.id, id), eq(paypayLinkSessions.status, 'pending')))
      .returning({ id: paypayLinkSessions.id })
    return rows.length > 0
  }

  /** One statement: the guarded session update, then (gated on it) the link upsert and the audit row. */
  async completeSession(sessionId: string, link: PayPayLink, audit: AuditEntry): Promise<boolean> {
    const r = await one<{ done: number }>(
      this.db,
      sql`with done as (
          update paypay_link_sessions set status = 'linked', completed_at = ${ts(link.linkedAt)}, user_authorization_id = ${link.userAuthorizationId}::text
          where id = ${sessionId}::text and status = 'pending'
          returning id),
        linked as (
          insert into paypay_links (user_id, user_authorization_id, status, profile_identifier, expires_at, linked_at, updated_at)
          select ${link.userId}::text, ${link.userAuthorizationId}::text, ${link.status}::text, ${link.profileIdentifier}::text,
            ${link.expiresAt?.toISOString() ?? null}::timestamptz, ${ts(link.linkedAt)}, ${ts(link.updatedAt)}
          from done
          on conflict (user_id) do update set user_authorization_id = excluded.user_authorization_id, status = excluded.status,
            profile_identifier = excluded.profile_identifier, expires_at = excluded.expires_at, linked_at = excluded.linked_at,
            updated_at = excluded.updated_at),
        ${auditCte('audit', 'done', audit)}
      select count(*)::int as done from done`,
    )
    return r.done > 0
  }

  async setLinkStatus(
    userId: string,
    userAuthorizationId: string,
    status: LinkStatus,
    at: Date,
    audit?: AuditEntry,
    onlyFrom?: LinkStatus,
  ): Promise<void> {
    await this.db.execute(
      sql`with moved as (
          update paypay_links set status = ${status}::text, updated_at = ${ts(at)}
          where user_id = ${userId}::text and user_authorization_id = ${userAuthorizationId}::text
            ${onlyFrom ? sql`and status = ${onlyFrom}::text` : sql``}
          returning user_id)
        ${audit ? sql`, ${auditCte('audit', 'moved', audit)}` : sql``}
      select count(*)::int as moved from moved`,
    )
  }

  async extendLink(userAuthorizationId: string, until: Date): Promise<void> {
    const iso = until.toISOString()
    await this.db
      .update(paypayLinks)
      .set({
        expiresAt: sql`greatest(coalesce(${paypayLinks.expiresAt}, ${iso}::timestamptz), ${iso}::timestamptz)`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(paypayLinks.userAuthorizationId, userAuthorizationId), eq(paypayLinks.status, 'linked')))
  }
}
