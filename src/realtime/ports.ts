import type { UserEvent } from './domain/events.ts'

/**
 * A per-user event stream: each published event gets the user's next sequence number, is kept
 * for replay, and reaches every socket of that user subscribed to its channel. Publishing again
 * with the same key changes nothing (QStash retries and duplicate callbacks push once).
 */
export interface UserEventStream {
  publish(event: UserEvent, opts?: { key?: string }): Promise<{ seq: number; duplicate: boolean }>
}
