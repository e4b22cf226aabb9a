/**
 * Background work is published as named jobs after the transaction that caused it commits. The
 * deduplication id makes a re-publish after a crash harmless: the queue keeps one message per id.
 */
export interface JobMessage {
  readonly name: string
  readonly payload: unknown
  readonly deduplicationId?: string
  readonly delaySeconds?: number
}

export interface JobQueue {
  publish(job: JobMessage): Promise<{ messageId: string }>
  /** Several jobs in one request (QStash's batch API); all or none are accepted. */
  publishMany(jobs: readonly JobMessage[]): Promise<void>
}
