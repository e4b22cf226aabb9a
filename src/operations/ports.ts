import type { DeadLetter } from './domain/dead-letter.ts'

/** The job queue's dead-letter store (QStash's DLQ on Workers and locally through its dev server). */
export interface DeadLetterQueue {
  list(page: { cursor?: string }): Promise<{ items: DeadLetter[]; cursor: string | null }>
  find(id: string): Promise<DeadLetter | null>
  /**
   * Publishes the letter's message again to its destination. `deduplicationId` makes a retried or
   * concurrent replay publish once.
   */
  republish(letter: DeadLetter, deduplicationId: string): Promise<{ messageId: string }>
  /** Removes the letter; removing one that is already gone is not an error. */
  remove(id: string): Promise<void>
}
