import { and, asc, inArray, isNull } from 'drizzle-orm'
import { outbox } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import type { JobQueue } from '../../shared/jobs.ts'
import type { Logger } from '../../shared/logger.ts'
import type { OutboxRelay } from '../ports.ts'

/**
 * Publishes outbox rows to QStash with their deduplication id, then marks them published. Two
 * relays publishing the same row at once is harmless: QStash keeps one message per id.
 */
export class DrizzleOutboxRelay implements OutboxRelay {
  constructor(
    private readonly db: Db,
    private readonly queue: JobQueue,
    private readonly logger: Logger,
  ) {}

  async publish(deduplicationIds?: readonly string[]): Promise<number> {
    if (deduplicationIds && deduplicationIds.length === 0) return 0
    const rows = await this.db
      .select()
      .from(outbox)
      .where(and(isNull(outbox.publishedAt), deduplicationIds ? inArray(outbox.deduplicationId, [...deduplicationIds]) : undefined))
      .orderBy(asc(outbox.id))
      .limit(200)
    if (rows.length === 0) return 0
    try {
      // One batch request instead of one per job: QStash deduplicates each message by its id.
      await this.queue.publishMany(rows.map((row) => ({ name: row.jobName, payload: row.payload, deduplicationId: row.deduplicationId })))
    } catch (e) {
      // Left unpublished: the reconciliation job publishes them later.
      this.logger.warn('outbox publish failed', { jobs: rows.length, error: String(e) })
      return 0
    }
    await this.db
      .update(outbox)
      .set({ publishedAt: new Date() })
      .where(inArray(outbox.id, rows.map((r) => r.id)))
    return rows.length
  }
}
