import { DurableObject } from 'cloudflare:workers'
import { channelOf, type Channel, type SequencedEvent, type UserEvent } from '../domain/events.ts'
import { HEARTBEAT_INTERVAL_MS, PING_TEXT, PONG_TEXT, react, REPLAY_CAPACITY, serverMessage, type StreamView } from '../domain/protocol.ts'

/** Per socket, kept by the runtime across hibernation. */
interface Attachment {
  userId: string
  /** null until the client's SUBSCRIBE is accepted: nothing is delivered before. */
  channels: Channel[] | null
  lastSeq: number | null
}

/** Headers the edge sets after verifying the token (the object is reachable only through it). */
export const USER_HEADER = 'x-realtime-user'
export const PROTOCOL_HEADER = 'x-realtime-protocol'
export const LAST_SEQ_HEADER = 'x-realtime-last-seq'

/**
 * One object per user (idFromName(userId)): the user's event stream and every socket the user has
 * open (many tabs). It uses the WebSocket hibernation API, so while nothing happens it is evicted
 * from memory and costs nothing; sockets, their attachments and the SQLite-stored events survive.
 * A PING is answered by the runtime without waking the object; an alarm sends heartbeats while
 * sockets are open. Events are numbered per user and the last REPLAY_CAPACITY are kept, so a
 * client reconnecting with its last number gets what it missed.
 */
export class UserEventsObject extends DurableObject<Env> {
  private readonly sql: SqlStorage

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    this.sql.exec(`create table if not exists events (
      seq integer primary key, key text unique, channel text not null, body text not null, at integer not null)`)
    this.sql.exec(`create table if not exists counters (name text primary key, value integer not null)`)
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT))
  }

  override async fetch(request: Request): Promise<Response> {
    const userId = request.headers.get(USER_HEADER)
    if (!userId || request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('expected an authenticated WebSocket upgrade', { status: 400 })
    }
    const lastSeqHeader = request.headers.get(LAST_SEQ_HEADER)
    const lastSeq = lastSeqHeader !== null && /^\d{1,15}$/.test(lastSeqHeader) ? Number(lastSeqHeader) : null
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server, [userId])
    server.serializeAttachment({ userId, channels: null, lastSeq } satisfies Attachment)
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_INTERVAL_MS)
    const protocol = request.headers.get(PROTOCOL_HEADER)
    return new Response(null, { status: 101, webSocket: client, ...(protocol && { headers: { 'sec-websocket-protocol': protocol } }) })
  }

  /** Appends the event (once per key) and sends it to the sockets subscribed to its channel. */
  async publish(event: UserEvent, key: string | null): Promise<{ seq: number; duplicate: boolean; delivered: number }> {
    if (key !== null) {
      const seen = this.sql.exec<{ seq: number }>('select seq from events where key = ?', key).toArray()[0]
      if (seen) return { seq: seen.seq, duplicate: true, delivered: 0 }
    }
    const seq = this.latestSeq() + 1
    const body = JSON.stringify({ ...event, seq } satisfies SequencedEvent)
    const channel = channelOf(event)
    this.sql.exec('insert into events (seq, key, channel, body, at) values (?, ?, ?, ?, ?)', seq, key, channel, body, Date.now())
    this.sql.exec('delete from events where seq <= ?', seq - REPLAY_CAPACITY)
    let delivered = 0
    for (const ws of this.ctx.getWebSockets()) {
      const a = ws.deserializeAttachment() as Attachment | null
      if (!a?.channels?.includes(channel)) continue
      try {
        ws.send(body)
        delivered++
      } catch {
        // A socket closing right now: its client replays on reconnect.
      }
    }
    return { seq, duplicate: false, delivered }
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const a = ws.deserializeAttachment() as Attachment | null
    if (!a) return
    const reaction = react(message, a.userId, a.lastSeq, this.view())
    if (reaction.invalid) {
      this.sql.exec(
        `insert into counters (name, value) values ('invalid_messages', 1)
         on conflict (name) do update set value = value + 1`,
      )
      return
    }
    if (reaction.subscribe) ws.serializeAttachment({ ...a, channels: [...reaction.subscribe] } satisfies Attachment)
    for (const m of reaction.send) ws.send(m)
    if (reaction.close) ws.close(reaction.close.code, reaction.close.reason)
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason)
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    try {
      ws.close(1011, 'error')
    } catch {
      // Already closed.
    }
  }

  /** Heartbeats keep idle sockets open through proxies; the alarm stops when no socket is left. */
  override async alarm(): Promise<void> {
    const sockets = this.ctx.getWebSockets()
    if (sockets.length === 0) return
    const beat = serverMessage.heartbeat(this.latestSeq(), new Date())
    for (const ws of sockets) {
      try {
        ws.send(beat)
      } catch {
        // Closing.
      }
    }
    await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_INTERVAL_MS)
  }

  /** For tests and operators. */
  async stats(): Promise<{ connections: number; subscribed: number; invalidMessages: number; latestSeq: number; kept: number }> {
    const sockets = this.ctx.getWebSockets()
    const invalid = this.sql.exec<{ value: number }>("select value from counters where name = 'invalid_messages'").toArray()[0]
    const kept = this.sql.exec<{ n: number }>('select count(*) as n from events').one().n
    return {
      connections: sockets.length,
      subscribed: sockets.filter((ws) => (ws.deserializeAttachment() as Attachment | null)?.channels).length,
      invalidMessages: invalid?.value ?? 0,
      latestSeq: this.latestSeq(),
      kept,
    }
  }

  private latestSeq(): number {
    return this.sql.exec<{ seq: number | null }>('select max(seq) as seq from events').one().seq ?? 0
  }

  private view(): StreamView {
    const latestSeq = this.latestSeq()
    const oldest = this.sql.exec<{ seq: number | null }>('select min(seq) as seq from events').one().seq
    return {
      latestSeq,
      oldestSeq: oldest ?? latestSeq + 1,
      after: (seq) =>
        this.sql
          .exec<{ body: string }>('select body from events where seq > ? order by seq', seq)
          .toArray()
          .map((r) => JSON.parse(r.body) as SequencedEvent),
    }
  }
}
