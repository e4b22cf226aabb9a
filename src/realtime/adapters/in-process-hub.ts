import type { Channel, UserEvent } from '../domain/events.ts'
import { channelOf } from '../domain/events.ts'
import { EventLog } from '../domain/event-log.ts'
import { HEARTBEAT_INTERVAL_MS, react, REPLAY_CAPACITY, serverMessage } from '../domain/protocol.ts'
import type { UserEventStream } from '../ports.ts'

/** The part of a WebSocket the hub uses (Deno's, the browser's and workerd's all fit). */
export interface HubSocket {
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void
  addEventListener(type: 'close', listener: () => void): void
}

interface Connection {
  readonly socket: HubSocket
  readonly userId: string
  readonly lastSeq: number | null
  channels: readonly Channel[] | null
}

/**
 * The single-process hub (Deno entry, and any runtime without Durable Objects): the same protocol
 * and per-user numbering as the Durable Object, kept in memory. One process serves all sockets,
 * so it suits one instance; several instances need the Durable Object hub (or a shared broker).
 */
export class InProcessHub implements UserEventStream {
  private readonly logs = new Map<string, EventLog>()
  private readonly connections = new Map<string, Set<Connection>>()
  private heartbeat: ReturnType<typeof setInterval> | null = null
  private invalid = 0

  constructor(private readonly opts: { heartbeatMs?: number; capacity?: number; now?: () => Date } = {}) {}

  async publish(event: UserEvent, opts: { key?: string } = {}): Promise<{ seq: number; duplicate: boolean }> {
    const { event: sequenced, duplicate } = this.log(event.userId).append(event, opts.key)
    if (!duplicate) {
      const channel = channelOf(event)
      const body = JSON.stringify(sequenced)
      for (const c of this.connections.get(event.userId) ?? []) {
        if (c.channels?.includes(channel)) safeSend(c.socket, body)
      }
    }
    return { seq: sequenced.seq, duplicate }
  }

  /** Takes over an accepted socket whose token the edge has verified. */
  attach(socket: HubSocket, opts: { userId: string; lastSeq: number | null }): void {
    const conn: Connection = { socket, userId: opts.userId, lastSeq: opts.lastSeq, channels: null }
    const set = this.connections.get(opts.userId) ?? new Set<Connection>()
    set.add(conn)
    this.connections.set(opts.userId, set)
    this.startHeartbeat()
    socket.addEventListener('message', (e) => {
      const log = this.log(conn.userId)
      const reaction = react(typeof e.data === 'string' ? e.data : new ArrayBuffer(0), conn.userId, conn.lastSeq, {
        latestSeq: log.latestSeq,
        oldestSeq: log.oldestSeq,
        after: () => log.all(),
      })
      if (reaction.invalid) {
        this.invalid++
        return
      }
      if (reaction.subscribe) conn.channels = reaction.subscribe
      for (const m of reaction.send) safeSend(socket, m)
      if (reaction.close) socket.close(reaction.close.code, reaction.close.reason)
    })
    socket.addEventListener('close', () => {
      set.delete(conn)
      if (set.size === 0) this.connections.delete(conn.userId)
      if (this.connections.size === 0) this.stopHeartbeat()
    })
  }

  stats(userId?: string): { connections: number; invalidMessages: number; latestSeq: number } {
    const connections =
      userId === undefined ? [...this.connections.values()].reduce((n, s) => n + s.size, 0) : (this.connections.get(userId)?.size ?? 0)
    return { connections, invalidMessages: this.invalid, latestSeq: userId === undefined ? 0 : (this.logs.get(userId)?.latestSeq ?? 0) }
  }

  /** Sends one heartbeat to every socket now (the timer does it every heartbeatMs). */
  beat(): void {
    const at = this.opts.now?.() ?? new Date()
    for (const [userId, set] of this.connections) {
      const msg = serverMessage.heartbeat(this.logs.get(userId)?.latestSeq ?? 0, at)
      for (const c of set) safeSend(c.socket, msg)
    }
  }

  close(): void {
    this.stopHeartbeat()
    for (const set of this.connections.values()) for (const c of set) c.socket.close(1001, 'going away')
    this.connections.clear()
  }

  private log(userId: string): EventLog {
    let log = this.logs.get(userId)
    if (!log) this.logs.set(userId, (log = new EventLog(this.opts.capacity ?? REPLAY_CAPACITY)))
    return log
  }

  private startHeartbeat(): void {
    if (this.heartbeat !== null) return
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs ?? HEARTBEAT_INTERVAL_MS)
    ;(this.heartbeat as { unref?: () => void }).unref?.()
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat)
    this.heartbeat = null
  }
}

function safeSend(socket: HubSocket, data: string): void {
  try {
    socket.send(data)
  } catch {
    // A socket that is closing; its client replays on reconnect.
  }
}
