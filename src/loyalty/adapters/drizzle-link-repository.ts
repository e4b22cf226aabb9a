import { and, eq, sql } from 'drizzle-orm'
import { auditLog, paypayLinks, paypayLinkSessions } from '../../db/schema.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Db } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import type { LinkSession, LinkSessionStatus, LinkStatus, PayPayLink } from '../domain/link.ts'
import type { LinkRepository } from '../ports.ts'

const toLink = (r: typeof paypayLinks.$inferSelect): PayPayLink => ({
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

  async completeSession(sessionId: string, link: PayPayLink, audit: AuditEntry): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .update(paypayLinkSessions)
        .set({ status: 'linked', completedAt: link.linkedAt, userAuthorizationId: link.userAuthorizationId })
        .where(and(eq(paypayLinkSessions.id, sessionId), eq(paypayLinkSessions.status, 'pending')))
        .returning({ id: paypayLinkSessions.id })
      if (rows.length === 0) return false
      const values = {
        userId: link.userId,
        userAuthorizationId: link.userAuthorizationId,
        status: link.status,
        profileIdentifier: link.profileIdentifier,
        expiresAt: link.expiresAt,
        linkedAt: link.linkedAt,
        updatedAt: link.updatedAt,
      }
      await tx.insert(paypayLinks).values(values).onConflictDoUpdate({ target: paypayLinks.userId, set: values })
      await tx.insert(auditLog).values(auditRow(audit))
      return true
    })
  }

  async setLinkStatus(userId: string, userAuthorizationId: string, status: LinkStatus, at: Date, audit?: AuditEntry): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows = await tx
        .update(paypayLinks)
        .set({ status, updatedAt: at })
        .where(and(eq(paypayLinks.userId, userId), eq(paypayLinks.userAuthorizationId, userAuthorizationId)))
        .returning({ userId: paypayLinks.userId })
      if (rows.length > 0 && audit) await tx.insert(auditLog).values(auditRow(audit))
    })
  }

  async extendLink(userAuthorizationId: string, until: Date): Promise<void> {
    const iso = until.toISOString()
    await this.db
      .update(paypayLinks)
      .set({ expiresAt: sql`greatest(coalesce(${paypayLinks.expiresAt}, ${iso}::timestamptz), ${iso}::timestamptz)`, updatedAt: sql`now()` })
      .where(and(eq(paypayLinks.userAuthorizationId, userAuthorizationId), eq(paypayLinks.status, 'linked')))
  }
}
