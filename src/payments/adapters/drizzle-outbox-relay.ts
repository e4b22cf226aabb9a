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
    let published = 0
    for (const row of rows) {
      try {
        await this.queue.publish({ name: row.jobName, payload: row.payload, deduplicationId: row.deduplicationId })
        await this.db.update(outbox).set({ publishedAt: new Date() }).where(inArray(outbox.id, [row.id]))
        published++
      } catch (e) {
        // Left unpublished: the reconciliation job publishes it later.
        this.logger.warn('outbox publish failed', { job: row.jobName, deduplication_id: row.deduplicationId, error: String(e) })
      }
    }
    return published
  }
}
