import { and, eq, sql } from 'drizzle-orm'
import { webhookEvents } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import type { PaystackEvent } from '../domain/webhook-event.ts'
import type { ChargeSnapshot } from '../domain/settlement.ts'
import type { ClaimOutcome, WebhookInbox } from '../ports.ts'
import { chargeSnapshotQuery, toChargeSnapshot, type ChargeSnapshotRow } from './charge-snapshot.ts'

/**
 * The unique (provider, event_key) row is the idempotency guard: the first copy inserts it; later
 * copies find it processed (duplicate) or held by a live claim (duplicate: the holder answers for
 * it). A failed event, or one whose claim lapsed (its processor died), is taken over by the retry.
 * A concurrent copy's insert waits for the first to commit, then finds its live claim.
 */
export class DrizzleWebhookInbox implements WebhookInbox {
  constructor(private readonly db: Db) {}

  async claim(
    provider: string,
    key: string,
    event: PaystackEvent,
    now: Date,
    leaseMs: number,
    chargeReference?: string,
  ): Promise<{ outcome: ClaimOutcome; charge: ChargeSnapshot | null }> {
    const lockedUntil = new Date(now.getTime() + leaseMs).toISOString()
    // The insert (attempts 1) or the take-over (attempts + 1) of the claim, and, for a claim won,
    // the charge snapshot the settlement decides on: the webhook's one read.
    const snapshot =
      chargeReference === undefined ? sql`` : sql`left join (${chargeSnapshotQuery(chargeReference)}) snap on claim.attempts is not null`
    const [row] = await this.db.execute<ChargeSnapshotRow & { attempts: number | null }>(sql`
      with claim as (
        insert into webhook_events (provider, event_key, event_type, payload, status, locked_until, received_at)
        values (${provider}, ${key}, ${event.event}, ${JSON.stringify(event)}::jsonb, 'processing', ${lockedUntil}::timestamptz, ${now.toISOString()}::timestamptz)
        on conflict (provider, event_key) do update
          set status = 'processing', locked_until = excluded.locked_until, attempts = webhook_events.attempts + 1, error = null
          where webhook_events.status = 'failed'
             or (webhook_events.status = 'processing' and webhook_events.locked_until < ${now.toISOString()}::timestamptz)
        returning attempts
      )
      select claim.attempts${chargeReference === undefined ? sql`` : sql`, snap.*`}
        from (select 1) one left join claim on true ${snapshot}`)
    const attempts = row?.attempts ?? null
    if (attempts === null) return { outcome: 'duplicate', charge: null }
    return { outcome: Number(attempts) === 1 ? 'new' : 'retry', charge: toChargeSnapshot(row) }
  }

  async processed(provider: string, key: string, now: Date, publishedJobs: readonly string[] = []): Promise<void> {
    // The request's last write, one statement: the event done and the jobs it published marked.
    await this.db.execute(sql`
      with published as (
        update outbox set published_at = ${now.toISOString()}::timestamptz
         where deduplication_id = any(array[${sql.join(
           publishedJobs.map((id) => sql`${id}`),
           sql`, `,
         )}]::text[]) and published_at is null
      )
      update webhook_events set status = 'processed', processed_at = ${now.toISOString()}::timestamptz, locked_until = null
       where provider = ${provider} and event_key = ${key}`)
  }

  async failed(provider: string, key: string, error: string): Promise<void> {
    await this.db
      .update(webhookEvents)
      .set({ status: 'failed', error: error.slice(0, 1000), lockedUntil: null })
      .where(and(eq(webhookEvents.provider, provider), eq(webhookEvents.eventKey, key)))
  }
}
