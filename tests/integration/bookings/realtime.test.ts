import { env, runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { UserEvent } from '../../../src/realtime/domain/events.ts'
import type { UserEventsObject } from '../../../src/realtime/adapters/user-events-object.ts'
import { token, uniq } from '../helpers.ts'
import { openSocket, type TestSocket } from './support.ts'

const ns = () => (env as unknown as { USER_EVENTS: DurableObjectNamespace<UserEventsObject> }).USER_EVENTS
const hub = (userId: string) => ns().get(ns().idFromName(userId))

const paymentStatus = (userId: string, paymentId = `ps_${uniq()}`): UserEvent => ({
  type: 'PAYMENT_STATUS',
  paymentId,
  userId,
  status: 'COMPLETED',
  transactionId: '250101000000001',
})
const auctionResult = (userId: string): UserEvent => ({
  type: 'AUCTION_RESULT',
  auctionId: `auc_${uniq()}`,
  userId,
  result: 'WON',
  awardedNights: ['2030-01-01'],
  amount: 1000,
  paymentDeadline: new Date().toISOString(),
  propertyName: 'Villa',
})

async function connected(userId: string, opts: { lastSeq?: number } = {}): Promise<TestSocket> {
  const { socket, status } = await openSocket(await token(userId), opts)
  expect(status).toBe(101)
  return socket!
}

describe('WebSocket /payment-notifications (a Durable Object per user)', () => {
  it('refuses a connection without a valid token: no socket', async () => {
    const none = await openSocket(null)
    expect(none.status).toBe(401)
    expect(none.socket).toBeNull()
    expect(none.body.error.code).toBe('AUTH_REQUIRED')
    const forged = await openSocket(`${await token('u-forged')}x`)
    expect(forged.status).toBe(401)
    expect(forged.socket).toBeNull()
    const wrongIssuer = await openSocket(await token('u-iss', [], { issuer: 'someone-else' }))
    expect(wrongIssuer.status).toBe(401)
  })

  it('answers 426 to a plain GET', async () => {
    const { SELF } = await import('cloudflare:test')
    const res = await SELF.fetch(`http://worker.test/payment-notifications?token=${await token('u-plain')}`)
    expect(res.status).toBe(426)
  })

  it('takes the token from Sec-WebSocket-Protocol and echoes one offered protocol', async () => {
    const userId = `u-proto-${uniq()}`
    const t = await token(userId)
    const bare = await openSocket(t, { tokenInQuery: false, protocols: [`bearer.${t}`] })
    expect(bare.status).toBe(101)
    expect(bare.headers.get('sec-websocket-protocol')).toBe(`bearer.${t}`)
    const named = await openSocket(t, { tokenInQuery: false, protocols: ['payment-notifications', t] })
    expect(named.status).toBe(101)
    expect(named.headers.get('sec-websocket-protocol')).toBe('payment-notifications')
    expect((await named.socket!.subscribe(userId)).type).toBe('SUBSCRIBED')
    const bad = await openSocket(t, { tokenInQuery: false, protocols: ['payment-notifications', 'bearer.not-a-jwt'] })
    expect(bad.status).toBe(401)
    bare.socket!.close()
    named.socket!.close()
  })

  it('accepts SUBSCRIBE only for the token’s own user: another userId is refused and closed', async () => {
    const me = `u-me-${uniq()}`
    const other = `u-other-${uniq()}`
    const s = await connected(me)
    const answer = await s.subscribe(other)
    expect(answer).toMatchObject({ type: 'ERROR', code: 'SUBSCRIPTION_FORBIDDEN' })
    expect((await s.closed).code).toBe(1008)
    await hub(other).publish(paymentStatus(other), null)
    await hub(me).publish(paymentStatus(me), null)
    expect(s.messages.filter((m) => m.type === 'PAYMENT_STATUS')).toEqual([])
  })

  it('delivers only the subscribed channels, the seed shapes plus seq, to every tab of the user', async () => {
    const userId = `u-tabs-${uniq()}`
    const tabs = await Promise.all([connected(userId), connected(userId), connected(userId)])
    for (const t of tabs)
      expect(await t.subscribe(userId, ['payment_status', 'booking_confirmations'])).toMatchObject({ type: 'SUBSCRIBED', userId })
    const quiet = await connected(userId)
    await quiet.subscribe(userId, ['auction_results'])

    await hub(userId).publish(auctionResult(userId), null)
    const event = paymentStatus(userId)
    const { seq } = await hub(userId).publish(event, null)
    for (const t of tabs) {
      const m = await t.next((x) => x.type === 'PAYMENT_STATUS')
      expect(m).toEqual({ ...event, seq })
      expect(t.messages.some((x) => x.type === 'AUCTION_RESULT')).toBe(false)
    }
    expect((await quiet.next((x) => x.type === 'AUCTION_RESULT')).seq).toBe(seq - 1)
    expect(quiet.messages.some((x) => x.type === 'PAYMENT_STATUS')).toBe(false)
    expect((await hub(userId).stats()).connections).toBe(4)
    for (const t of [...tabs, quiet]) t.close()
  })

  it('numbers events per user and replays what a reconnecting client missed, by its last seq', async () => {
    const userId = `u-replay-${uniq()}`
    const first = await connected(userId)
    await first.subscribe(userId)
    const e1 = await hub(userId).publish(paymentStatus(userId), null)
    const seen = await first.next((m) => m.type === 'PAYMENT_STATUS')
    expect(seen.seq).toBe(e1.seq)
    first.close()
    await first.closed

    // Sent while the client was away (e.g. during a reconnect).
    const missed = [paymentStatus(userId), auctionResult(userId), paymentStatus(userId)]
    const seqs: number[] = []
    for (const ev of missed) seqs.push((await hub(userId).publish(ev, null)).seq)
    expect(seqs).toEqual([e1.seq + 1, e1.seq + 2, e1.seq + 3])

    // lastSeq in the URL…
    const back = await connected(userId, { lastSeq: seen.seq })
    expect(await back.subscribe(userId)).toMatchObject({ type: 'SUBSCRIBED', seq: e1.seq + 3, gap: false })
    const replayed = [await back.next(), await back.next(), await back.next()]
    expect(replayed.map((m) => m.seq)).toEqual(seqs)
    expect(replayed.map((m) => m.type)).toEqual(['PAYMENT_STATUS', 'AUCTION_RESULT', 'PAYMENT_STATUS'])
    // …or in the SUBSCRIBE message, filtered by its channels.
    const again = await connected(userId)
    await again.subscribe(userId, ['payment_status'], seen.seq)
    const p1 = await again.next()
    const p2 = await again.next()
    expect([p1.seq, p2.seq]).toEqual([seqs[0], seqs[2]])
    // Without a last seq, nothing is replayed.
    const fresh = await connected(userId)
    await fresh.subscribe(userId)
    const live = await hub(userId).publish(paymentStatus(userId), null)
    expect((await fresh.next()).seq).toBe(live.seq)
    for (const s of [back, again, fresh]) s.close()
  })

  it('pushes an event once per key, whatever the retries', async () => {
    const userId = `u-key-${uniq()}`
    const s = await connected(userId)
    await s.subscribe(userId)
    const ev = paymentStatus(userId)
    const a = await hub(userId).publish(ev, 'payment-status:x:COMPLETED')
    const b = await hub(userId).publish(ev, 'payment-status:x:COMPLETED')
    expect(b).toMatchObject({ seq: a.seq, duplicate: true, delivered: 0 })
    await s.next((m) => m.type === 'PAYMENT_STATUS')
    await hub(userId).publish(auctionResult(userId), null)
    await s.next((m) => m.type === 'AUCTION_RESULT')
    expect(s.messages.filter((m) => m.type === 'PAYMENT_STATUS')).toHaveLength(1)
    s.close()
  })

  it('ignores and counts invalid messages without dropping the socket; PING gets PONG', async () => {
    const userId = `u-junk-${uniq()}`
    const s = await connected(userId)
    const before = (await hub(userId).stats()).invalidMessages
    for (const junk of [
      'not json',
      '[]',
      '{"type":"HELLO"}',
      '{"type":"SUBSCRIBE","userId":42}',
      '{"type":"SUBSCRIBE","userId":"x","channels":"all"}',
      'x'.repeat(5000),
    ])
      s.send(junk)
    s.send({ type: 'PING' })
    expect(await s.next()).toEqual({ type: 'PONG' })
    expect(await s.subscribe(userId)).toMatchObject({ type: 'SUBSCRIBED' })
    expect((await hub(userId).stats()).invalidMessages).toBe(before + 6)
    const { seq } = await hub(userId).publish(paymentStatus(userId), null)
    expect((await s.next((m) => m.type === 'PAYMENT_STATUS')).seq).toBe(seq)
    s.close()
  })

  it('sends heartbeats to open sockets from the object’s alarm', async () => {
    const userId = `u-beat-${uniq()}`
    const s = await connected(userId)
    await s.subscribe(userId)
    expect(await runDurableObjectAlarm(hub(userId))).toBe(true)
    expect(await s.next((m) => m.type === 'HEARTBEAT')).toMatchObject({ type: 'HEARTBEAT', seq: 0 })
    s.close()
  })
})
