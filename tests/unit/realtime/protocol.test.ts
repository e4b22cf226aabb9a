import { describe, expect, it } from 'vitest'
import { InProcessHub, type HubSocket } from '../../../src/realtime/adapters/in-process-hub.ts'
import { EventLog } from '../../../src/realtime/domain/event-log.ts'
import { channelOf, type UserEvent } from '../../../src/realtime/domain/events.ts'
import { parseClientMessage, react, type StreamView } from '../../../src/realtime/domain/protocol.ts'
import { socketCredentials } from '../../../src/realtime/http.ts'

const status = (userId: string, paymentId = 'ps_1'): UserEvent => ({ type: 'PAYMENT_STATUS', paymentId, userId, status: 'COMPLETED' })
const offer = (userId: string): UserEvent => ({
  type: 'SECOND_CHANCE_OFFER',
  offerId: 'off_1',
  auctionId: 'auc_1',
  userId,
  offeredNights: ['2030-01-01'],
  amount: 10,
  responseDeadline: '2030-01-01T00:00:00.000Z',
  propertyName: 'Villa',
})

const view = (log: EventLog): StreamView => ({ latestSeq: log.latestSeq, oldestSeq: log.oldestSeq, after: () => log.all() })

describe('realtime protocol', () => {
  it('parses the seed SUBSCRIBE, drops unknown channels, and rejects anything else as invalid', () => {
    expect(parseClientMessage('{"type":"SUBSCRIBE","userId":"u1","channels":["payment_status","future_channel"]}')).toEqual({
      type: 'SUBSCRIBE',
      userId: 'u1',
      channels: ['payment_status'],
    })
    expect(parseClientMessage('{"type":"SUBSCRIBE","userId":"u1","channels":[],"lastSeq":4}')).toMatchObject({ lastSeq: 4 })
    for (const bad of [
      '',
      'null',
      '[]',
      '{"type":"SUBSCRIBE"}',
      '{"type":"SUBSCRIBE","userId":"","channels":[]}',
      '{"type":"SUBSCRIBE","userId":"u","channels":[1]}',
      '{"type":"SUBSCRIBE","userId":"u","channels":[],"lastSeq":-1}',
      '{"type":"NOPE"}',
      'x'.repeat(5000),
    ]) {
      expect(parseClientMessage(bad), bad.slice(0, 40)).toBeNull()
    }
    expect(parseClientMessage(new ArrayBuffer(4))).toBeNull()
    expect(parseClientMessage('{"type":"PING"}')).toEqual({ type: 'PING' })
  })

  it('maps each message type to its seed channel', () => {
    expect(channelOf(status('u'))).toBe('payment_status')
    expect(channelOf(offer('u'))).toBe('second_chance_offers')
    expect(channelOf({ type: 'BOOKING_CONFIRMED' })).toBe('booking_confirmations')
    expect(channelOf({ type: 'AUCTION_RESULT' })).toBe('auction_results')
  })

  it('refuses a SUBSCRIBE for another user with an ERROR and a policy close', () => {
    const r = react('{"type":"SUBSCRIBE","userId":"mallory","channels":["payment_status"]}', 'alice', null, view(new EventLog(10)))
    expect(r.invalid).toBe(false)
    expect(r.subscribe).toBeUndefined()
    expect(JSON.parse(r.send[0]!)).toMatchObject({ type: 'ERROR', code: 'SUBSCRIPTION_FORBIDDEN' })
    expect(r.close).toEqual({ code: 1008, reason: 'subscription refused' })
  })

  it('replays events after the last seq on the subscribed channels, and flags a gap when some were pruned', () => {
    const log = new EventLog(3)
    for (const e of [status('a'), offer('a'), status('a'), status('a'), offer('a')]) log.append(e)
    expect(log.latestSeq).toBe(5)
    expect(log.oldestSeq).toBe(3)
    const r = react('{"type":"SUBSCRIBE","userId":"a","channels":["payment_status"],"lastSeq":1}', 'a', null, view(log))
    expect(r.subscribe).toEqual(['payment_status'])
    const [ack, ...replayed] = r.send.map((s) => JSON.parse(s))
    expect(ack).toEqual({ type: 'SUBSCRIBED', userId: 'a', channels: ['payment_status'], seq: 5, gap: true })
    expect(replayed.map((m) => m.seq)).toEqual([3, 4])
    const fromConnect = react('{"type":"SUBSCRIBE","userId":"a","channels":["second_chance_offers"]}', 'a', 4, view(log))
    expect(fromConnect.send.slice(1).map((s) => JSON.parse(s).seq)).toEqual([5])
    const none = react('{"type":"SUBSCRIBE","userId":"a","channels":["payment_status"]}', 'a', null, view(log))
    expect(none.send).toHaveLength(1)
  })

  it('an event log appends once per key and keeps the last N', () => {
    const log = new EventLog(2)
    const a = log.append(status('u'), 'k1')
    const b = log.append(status('u'), 'k1')
    expect(b).toMatchObject({ duplicate: true, event: { seq: a.event.seq } })
    log.append(status('u'))
    log.append(status('u'))
    expect(log.all().map((e) => e.seq)).toEqual([2, 3])
    expect(log.append(status('u'), 'k1')).toMatchObject({ duplicate: true, event: { seq: 1 } })
  })

  it('reads the token from the query or the Sec-WebSocket-Protocol header and picks the protocol to echo', () => {
    const jwt = 'aaa.bbb.ccc'
    expect(socketCredentials(jwt, undefined)).toEqual({ token: jwt, protocol: null })
    expect(socketCredentials(undefined, `bearer.${jwt}`)).toEqual({ token: jwt, protocol: `bearer.${jwt}` })
    expect(socketCredentials(undefined, `payment-notifications, ${jwt}`)).toEqual({ token: jwt, protocol: 'payment-notifications' })
    expect(socketCredentials(undefined, 'payment-notifications')).toEqual({ token: null, protocol: 'payment-notifications' })
    expect(socketCredentials(undefined, undefined)).toEqual({ token: null, protocol: null })
  })
})

class FakeSocket implements HubSocket {
  readonly sent: any[] = []
  closed: { code?: number; reason?: string } | null = null
  private readonly listeners: { message: Array<(e: { data: unknown }) => void>; close: Array<() => void> } = { message: [], close: [] }
  send(data: string) {
    if (this.closed) throw new Error('closed')
    this.sent.push(JSON.parse(data))
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason }
    for (const l of this.listeners.close) l()
  }
  addEventListener(type: 'message' | 'close', l: any) {
    this.listeners[type].push(l)
  }
  receive(m: unknown) {
    for (const l of this.listeners.message) l({ data: typeof m === 'string' ? m : JSON.stringify(m) })
  }
}

describe('in-process hub (Deno entry)', () => {
  it('delivers to every subscribed tab of the user only, numbered, once per key', async () => {
    const hub = new InProcessHub()
    const tabs = [new FakeSocket(), new FakeSocket()]
    const stranger = new FakeSocket()
    for (const s of tabs) hub.attach(s, { userId: 'u', lastSeq: null })
    hub.attach(stranger, { userId: 'v', lastSeq: null })
    for (const s of tabs) s.receive({ type: 'SUBSCRIBE', userId: 'u', channels: ['payment_status'] })
    stranger.receive({ type: 'SUBSCRIBE', userId: 'v', channels: ['payment_status'] })
    await hub.publish(offer('u'))
    const { seq } = await hub.publish(status('u'), { key: 'k' })
    expect(await hub.publish(status('u'), { key: 'k' })).toEqual({ seq, duplicate: true })
    for (const s of tabs) expect(s.sent.filter((m) => m.type !== 'SUBSCRIBED')).toEqual([{ ...status('u'), seq: 2 }])
    expect(stranger.sent.filter((m) => m.type !== 'SUBSCRIBED')).toEqual([])
    hub.close()
  })

  it('replays on reconnect, refuses other users, counts junk, answers PING, sends heartbeats', async () => {
    const hub = new InProcessHub()
    await hub.publish(status('u', 'ps_a'))
    await hub.publish(status('u', 'ps_b'))
    const s = new FakeSocket()
    hub.attach(s, { userId: 'u', lastSeq: 1 })
    s.receive('garbage')
    s.receive({ type: 'PING' })
    s.receive({ type: 'SUBSCRIBE', userId: 'u', channels: ['payment_status'] })
    expect(s.sent.map((m) => m.type)).toEqual(['PONG', 'SUBSCRIBED', 'PAYMENT_STATUS'])
    expect(s.sent[2]).toMatchObject({ paymentId: 'ps_b', seq: 2 })
    expect(hub.stats('u')).toMatchObject({ connections: 1, invalidMessages: 1, latestSeq: 2 })
    hub.beat()
    expect(s.sent.at(-1)).toMatchObject({ type: 'HEARTBEAT', seq: 2 })
    const evil = new FakeSocket()
    hub.attach(evil, { userId: 'mallory', lastSeq: 0 })
    evil.receive({ type: 'SUBSCRIBE', userId: 'u', channels: ['payment_status'] })
    expect(evil.sent[0]).toMatchObject({ type: 'ERROR' })
    expect(evil.closed?.code).toBe(1008)
    hub.close()
  })
})
