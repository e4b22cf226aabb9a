import { and, asc, inArray, isNull } from 'drizzle-orm'
import { outbox } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import type { JobMessage, JobQueue } from '../../shared/jobs.ts'
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
    const sent = await this.send(rows.map((row) => ({ name: row.jobName, payload: row.payload, deduplicationId: row.deduplicationId })))
    await this.markPublished(sent)
    return sent.length
  }

  async send(jobs: readonly JobMessage[]): Promise<readonly string[]> {
    if (jobs.length === 0) return []
    try {
      // One batch request instead of one per job: QStash deduplicates each message by its id.
      await this.queue.publishMany(jobs)
    } catch (e) {
      // Left unpublished: the reconciliation job publishes them later.
      this.logger.warn('outbox publish failed', { jobs: jobs.length, error: String(e) })
      return []
    }
    return jobs.map((j) => j.deduplicationId!)
  }

  async markPublished(deduplicationIds: readonly string[]): Promise<void> {
    if (deduplicationIds.length === 0) return
    await this.db
      .update(outbox)
      .set({ publishedAt: new Date() })
      .where(and(inArray(outbox.deduplicationId, [...deduplicationIds]), isNull(outbox.publishedAt)))
  }
}
