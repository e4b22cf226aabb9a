import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { UserEventsObject } from '../../../src/realtime/adapters/user-events-object.ts'
import type { UserEvent } from '../../../src/realtime/domain/events.ts'
import { openSocket } from '../bookings/support.ts'
import { token, uniq } from '../helpers.ts'
import { countFigure } from '../../support/figures.ts'

/**
 * The per-user WebSocket hub restarted mid-run (ctx.abort(): the object loses its memory and its
 * sockets drop): sequence numbers continue, keyed events stay single, and a client reconnecting
 * with its last seq gets exactly what it missed.
 */
const ns = () => (env as unknown as { USER_EVENTS: DurableObjectNamespace<UserEventsObject> }).USER_EVENTS
const hub = (userId: string) => ns().get(ns().idFromName(userId))
const status = (userId: string): UserEvent => ({
  type: 'PAYMENT_STATUS',
  paymentId: `ps_${uniq()}`,
  userId,
  status: 'COMPLETED',
  transactionId: '250101000000001',
})

describe('realtime hub restarted mid-run', () => {
  it('clients reconnect with their last seq and replay; numbering and keys survive the restart', async () => {
    const userId = `u-restart-${uniq()}`
    const t = await token(userId)
    const { socket } = await openSocket(t)
    await socket!.subscribe(userId)
    const keyed = await hub(userId).publish(status(userId), `k-${userId}`)
    const seen = await socket!.next((m) => m.seq === keyed.seq)

    // The object is reset: its sockets drop, its memory is gone.
    countFigure('faults injected (Durable Object reset)')
    await runInDurableObject(hub(userId), (_instance, state) => {
      try {
        state.abort('chaos: restart')
      } catch {
        // abort() throws in the caller by design.
      }
    }).catch(() => undefined)
    await socket!.closed

    // Events published while the client is away, after the restart.
    const missed = [await hub(userId).publish(status(userId), null), await hub(userId).publish(status(userId), null)]
    expect(missed.map((m) => m.seq)).toEqual([keyed.seq + 1, keyed.seq + 2])
    // A retried keyed publish is still recognised after the restart.
    expect(await hub(userId).publish(status(userId), `k-${userId}`)).toMatchObject({ seq: keyed.seq, duplicate: true })

    const { socket: back, status: code } = await openSocket(t, { lastSeq: seen.seq })
    expect(code).toBe(101)
    expect(await back!.subscribe(userId)).toMatchObject({ type: 'SUBSCRIBED', gap: false })
    const replayed = [await back!.next(), await back!.next()]
    expect(replayed.map((m) => m.seq)).toEqual(missed.map((m) => m.seq))
    back!.close()
  })
})
