import { expect } from 'vitest'

/**
 * A front end's view of a running server (the Worker under wrangler dev, or the Deno entry): JSON
 * calls with a bearer token, a WebSocket client of /payment-notifications speaking the seed 003
 * protocol, and an auction won by a user, set up through the admin API.
 */
export function bookingsClient(base: string, adminToken: string) {
  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    })
    return { status: res.status, body: (await res.json()) as any }
  }

  /** A bare browser-side client of /payment-notifications (token in Sec-WebSocket-Protocol). */
  async function connect(token: string) {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/payment-notifications`, [`bearer.${token}`])
    const messages: any[] = []
    ws.onmessage = (e) => messages.push(JSON.parse(String(e.data)))
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve()
      ws.onerror = () => reject(new Error('socket refused'))
    })
    const next = async (pred: (m: any) => boolean, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const m = messages.find(pred)
        if (m) return m
        if (Date.now() > deadline) throw new Error(`no message; got ${JSON.stringify(messages)}`)
        await new Promise((r) => setTimeout(r, 25))
      }
    }
    return { ws, messages, next }
  }

  /** Connected and subscribed to every channel of the seed's protocol. */
  async function subscribe(userId: string, token: string) {
    const socket = await connect(token)
    socket.ws.send(
      JSON.stringify({
        type: 'SUBSCRIBE',
        userId,
        channels: ['auction_results', 'payment_status', 'second_chance_offers', 'booking_confirmations'],
      }),
    )
    await socket.next((m) => m.type === 'SUBSCRIBED')
    return socket
  }

  async function wonAuction(userId: string) {
    // Fresh properties each time; the nights only need to be in the future.
    const nights = [1, 2].map((d) => new Date(Date.now() + (120 + d) * 86_400_000).toISOString().slice(0, 10))
    const { body: p } = await api('POST', '/api/admin/properties', adminToken, {
      name: `E2E villa ${Date.now()}`,
      hostId: 'e2e-host',
      maxGuests: 2,
      nightlyRate: 1,
    })
    const { body: a } = await api('POST', '/api/admin/auctions', adminToken, { propertyId: p.property.id, nights })
    const r = await api('POST', `/api/admin/auctions/${a.auction.id}/results`, adminToken, {
      awards: [{ userId, nights, amount: 1_800_000, paymentDeadline: new Date(Date.now() + 86_400_000).toISOString() }],
    })
    expect(r.status).toBe(201)
    return { auctionId: a.auction.id as string, nights, propertyName: p.property.name as string }
  }

  return { api, connect, subscribe, wonAuction }
}
