import { CHANNELS, channelOf, type Channel, type SequencedEvent } from './events.ts'

/**
 * The client side of the socket protocol, shared by the Durable Object (Workers) and the
 * in-process hub (Deno): parsing what a client sends, deciding a SUBSCRIBE, choosing what to
 * replay. Anything that does not parse is an invalid message: ignored and counted, never fatal.
 */
export type ClientMessage =
  | { readonly type: 'SUBSCRIBE'; readonly userId: string; readonly channels: readonly Channel[]; readonly lastSeq?: number }
  | { readonly type: 'PING' }

/** The exact ping text answered by the runtime without waking a hibernating object. */
export const PING_TEXT = '{"type":"PING"}'
export const PONG_TEXT = '{"type":"PONG"}'

/** Biggest client message considered at all; larger ones are invalid without parsing. */
export const MAX_CLIENT_MESSAGE_BYTES = 4096

export function parseClientMessage(raw: string | ArrayBuffer): ClientMessage | null {
  if (typeof raw !== 'string' || raw.length > MAX_CLIENT_MESSAGE_BYTES) return null
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const m = value as Record<string, unknown>
  if (m['type'] === 'PING') return { type: 'PING' }
  if (m['type'] !== 'SUBSCRIBE') return null
  const userId = m['userId']
  const channels = m['channels']
  if (typeof userId !== 'string' || userId === '' || userId.length > 256) return null
  if (!Array.isArray(channels) || channels.length > 16 || !channels.every((c) => typeof c === 'string')) return null
  const lastSeq = m['lastSeq']
  if (lastSeq !== undefined && !isSeq(lastSeq)) return null
  // Channel names this server does not know are dropped, so a newer client still subscribes.
  const known = [...new Set(channels.filter((c): c is Channel => (CHANNELS as readonly string[]).includes(c)))]
  return { type: 'SUBSCRIBE', userId, channels: known, ...(lastSeq !== undefined && { lastSeq: lastSeq as number }) }
}

export const isSeq = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0

export type SubscribeDecision =
  | { readonly ok: true; readonly channels: readonly Channel[]; readonly replayAfter: number | null }
  | { readonly ok: false; readonly code: 'SUBSCRIPTION_FORBIDDEN'; readonly message: string }

/**
 * A socket may only listen to its own user's stream: the SUBSCRIBE's userId must be the token's
 * subject. Replay starts after the message's lastSeq, else after the one given when connecting.
 */
export function decideSubscribe(
  msg: Extract<ClientMessage, { type: 'SUBSCRIBE' }>,
  socketUserId: string,
  connectLastSeq: number | null,
): SubscribeDecision {
  if (msg.userId !== socketUserId) {
    return { ok: false, code: 'SUBSCRIPTION_FORBIDDEN', message: 'A socket may subscribe to its own user only' }
  }
  return { ok: true, channels: msg.channels, replayAfter: msg.lastSeq ?? connectLastSeq }
}

/** Events after `afterSeq` on the given channels, oldest first. */
export function replayable(events: readonly SequencedEvent[], afterSeq: number, channels: readonly Channel[]): SequencedEvent[] {
  return events.filter((e) => e.seq > afterSeq && channels.includes(channelOf(e))).sort((a, b) => a.seq - b.seq)
}

/** Messages the server sends besides events; the seed's clients ignore unknown types. */
export const serverMessage = {
  subscribed: (userId: string, channels: readonly Channel[], seq: number, gap: boolean) =>
    JSON.stringify({ type: 'SUBSCRIBED', userId, channels, seq, gap }),
  error: (code: string, message: string) => JSON.stringify({ type: 'ERROR', code, message }),
  heartbeat: (seq: number, at: Date) => JSON.stringify({ type: 'HEARTBEAT', seq, at: at.toISOString() }),
}

/** Close code for a refused subscription (1008: policy violation). */
export const CLOSE_POLICY = 1008

/** How often connected sockets get a HEARTBEAT (keeps idle connections open through proxies). */
export const HEARTBEAT_INTERVAL_MS = 30_000

/** How many recent events a user's stream keeps for replay. */
export const REPLAY_CAPACITY = 256

/** What a socket's stream looks like to the protocol: its numbers and the events it still keeps. */
export interface StreamView {
  readonly latestSeq: number
  readonly oldestSeq: number
  after(seq: number): readonly SequencedEvent[]
}

/** What to do about one client message. */
export interface Reaction {
  /** Not a message of the protocol: ignore it and count it. */
  readonly invalid: boolean
  readonly send: readonly string[]
  /** The socket now listens to exactly these channels. */
  readonly subscribe?: readonly Channel[]
  readonly close?: { readonly code: number; readonly reason: string }
}

/**
 * The whole client protocol in one function: a PING gets a PONG, a SUBSCRIBE for the socket's own
 * user gets SUBSCRIBED and then (when a last sequence number is known) the missed events on its
 * channels, a SUBSCRIBE for anyone else gets an ERROR and the socket is closed, anything else is
 * invalid.
 */
export function react(raw: string | ArrayBuffer, socketUserId: string, connectLastSeq: number | null, stream: StreamView): Reaction {
  const msg = parseClientMessage(raw)
  if (msg === null) return { invalid: true, send: [] }
  if (msg.type === 'PING') return { invalid: false, send: [PONG_TEXT] }
  const decision = decideSubscribe(msg, socketUserId, connectLastSeq)
  if (!decision.ok) {
    return {
      invalid: false,
      send: [serverMessage.error(decision.code, decision.message)],
      close: { code: CLOSE_POLICY, reason: 'subscription refused' },
    }
  }
  const after = decision.replayAfter
  const missed = after === null ? [] : replayable(stream.after(after), after, decision.channels)
  const gap = after !== null && after < stream.latestSeq && after + 1 < stream.oldestSeq
  return {
    invalid: false,
    subscribe: decision.channels,
    send: [serverMessage.subscribed(socketUserId, decision.channels, stream.latestSeq, gap), ...missed.map((e) => JSON.stringify(e))],
  }
}
