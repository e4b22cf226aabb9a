import { and, eq, or, sql } from 'drizzle-orm'
import { webhookEvents } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import type { PaystackEvent } from '../domain/webhook-event.ts'
import type { ClaimOutcome, WebhookInbox } from '../ports.ts'

/**
 * The unique (provider, event_key) row is the idempotency guard: the first copy inserts it; later
 * copies find it processed (duplicate) or held by a live claim (duplicate: the holder answers for
 * it). A failed event, or one whose claim lapsed (its processor died), is taken over by the retry.
 */
export class DrizzleWebhookInbox implements WebhookInbox {
  constructor(private readonly db: Db) {}

  async claim(provider: string, key: string, event: PaystackEvent, now: Date, leaseMs: number): Promise<ClaimOutcome> {
    const lockedUntil = new Date(now.getTime() + leaseMs)
    const inserted = await this.db
      .insert(webhookEvents)
      .values({ provider, eventKey: key, eventType: event.event, payload: event, status: 'processing', lockedUntil, receivedAt: now })
      .onConflictDoNothing()
      .returning({ id: webhookEvents.id })
    if (inserted.length > 0) return 'new'
    const retaken = await this.db
      .update(webhookEvents)
      .set({ status: 'processing', lockedUntil, attempts: sql`${webhookEvents.attempts} + 1`, error: null })
      .where(
        and(
          eq(webhookEvents.provider, provider),
          eq(webhookEvents.eventKey, key),
          or(eq(webhookEvents.status, 'failed'), and(eq(webhookEvents.status, 'processing'), sql`${webhookEvents.lockedUntil} < ${now.toISOString()}::timestamptz`)),
        ),
      )
      .returning({ id: webhookEvents.id })
    return retaken.length > 0 ? 'retry' : 'duplicate'
  }

  async processed(provider: string, key: string, now: Date): Promise<void> {
    await this.db
      .update(webhookEvents)
      .set({ status: 'processed', processedAt: now, lockedUntil: null })
      .where(and(eq(webhookEvents.provider, provider), eq(webhookEvents.eventKey, key)))
  }

  async failed(provider: string, key: string, error: string): Promise<void> {
    await this.db
      .update(webhookEvents)
      .set({ status: 'failed', error: error.slice(0, 1000), lockedUntil: null })
      .where(and(eq(webhookEvents.provider, provider), eq(webhookEvents.eventKey, key)))
  }
}
