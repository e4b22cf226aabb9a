import type { UserEvent } from './domain/events.ts'

/**
 * A per-user event stream: each published event gets the user's next sequence number, is kept
 * for replay, and reaches every socket of that user subscribed to its channel. Publishing again
 * with the same key changes nothing (QStash retries and duplicate callbacks push once).
 */
export interface UserEventStream {
  publish(event: UserEvent, opts?: { key?: string }): Promise<{ seq: number; duplicate: boolean }>
}

/**
 * Opens a user's WebSocket once the edge has authenticated the token: a Durable Object per user
 * on Workers, the in-process hub on Deno. Answers the upgrade response (101).
 */
export interface SocketConnector {
  connect(request: Request, opts: { userId: string; protocol: string | null; lastSeq: number | null }): Promise<Response>
}
