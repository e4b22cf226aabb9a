import type { UserEvent } from '../domain/events.ts'
import type { SocketConnector, UserEventStream } from '../ports.ts'
import { LAST_SEQ_HEADER, PROTOCOL_HEADER, USER_HEADER, type UserEventsObject } from './user-events-object.ts'

/** The Workers hub: every user's stream and sockets live in that user's Durable Object. */
export class DurableObjectUserEvents implements UserEventStream, SocketConnector {
  constructor(private readonly namespace: DurableObjectNamespace<UserEventsObject>) {}

  private stub(userId: string) {
    return this.namespace.get(this.namespace.idFromName(userId))
  }

  async publish(event: UserEvent, opts: { key?: string } = {}): Promise<{ seq: number; duplicate: boolean }> {
    const r = await this.stub(event.userId).publish(event, opts.key ?? null)
    return { seq: r.seq, duplicate: r.duplicate }
  }

  async connect(request: Request, opts: { userId: string; protocol: string | null; lastSeq: number | null }): Promise<Response> {
    const headers = new Headers(request.headers)
    // Only the edge speaks for the user: whatever the client sent in these is replaced.
    headers.set(USER_HEADER, opts.userId)
    headers.delete(PROTOCOL_HEADER)
    headers.delete(LAST_SEQ_HEADER)
    if (opts.protocol !== null) headers.set(PROTOCOL_HEADER, opts.protocol)
    if (opts.lastSeq !== null) headers.set(LAST_SEQ_HEADER, String(opts.lastSeq))
    const res = await this.stub(opts.userId).fetch(new Request(request.url, { method: 'GET', headers }))
    // A fresh Response so the edge's middleware may still add headers (the stub's are immutable).
    return new Response(null, { status: res.status, headers: new Headers(res.headers), webSocket: res.webSocket })
  }
}
