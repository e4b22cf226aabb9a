import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seed } from '../../tools/db/seed.ts'
import { startUpstashRedisDev, type UpstashRedisDev } from '../../tools/upstash-redis-dev/server.ts'
import { startZaloPaySandbox, type ZaloPaySandbox } from '../../tools/zalopay-sandbox/server.ts'
import { TEST_ENV } from '../support/test-env.ts'
import { bookingsClient } from './bookings-client.ts'
import { startDenoServer, type DenoServer } from './deno-server.ts'
import { testToken } from './test-token.ts'

/**
 * The same Hono app served by Deno (the `deno` npm package), with a direct Postgres connection and
 * the in-process event hub instead of Durable Objects: proves nothing below the entries depends
 * on Workers, WebSockets included.
 */
let deno: DenoServer
let upstash: UpstashRedisDev
let zp: ZaloPaySandbox
let base: string

beforeAll(async () => {
  await seed(TEST_ENV.e2eDatabaseUrl)
  upstash = await startUpstashRedisDev({ port: 0, token: 'deno-test-token', redisUrl: TEST_ENV.redisUrl })
  zp = await startZaloPaySandbox({ port: 0, callbackRetryScale: 0.01 })
  deno = await startDenoServer(
    { url: upstash.url, token: 'deno-test-token' },
    { ZALOPAY_APP_ID: String(zp.appId), ZALOPAY_KEY1: zp.key1, ZALOPAY_KEY2: zp.key2, ZALOPAY_API_URL: zp.url },
  )
  base = deno.base
})

afterAll(async () => {
  deno?.stop()
  await upstash?.close()
  await zp?.close()
})

describe('Deno entry', () => {
  it('redeems a gift through the same app', async () => {
    const body = { gift_id: 'DEMO-GIFT-0003', supplier_invoice_no: 'ACC-OSAKA-NAMBA', pin: '4321' }
    const r = await fetch(`${base}/api/gifts/use`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    expect(r.status).toBe(200)
    const json = (await r.json()) as { gift: { gift_status: number; used_supplier_code: string } }
    expect(json.gift).toMatchObject({ gift_status: 1, used_supplier_code: 'SUP-OSAKA' })
    const again = await fetch(`${base}/api/gifts/use`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    expect(again.status).toBe(400)
  })
})

describe('Deno entry: WebSockets through the in-process hub', () => {
  it('a subscribed client gets AUCTION_RESULT, then PAYMENT_STATUS COMPLETED when the ZaloPay callback reaches Deno; a bad token is refused', async () => {
    const { api, connect, subscribe, wonAuction } = bookingsClient(base, await testToken('deno-admin', ['admin']))
    const userId = `deno-guest-${Date.now()}`
    const token = await testToken(userId)
    const client = await subscribe(userId, token)
    const won = await wonAuction(userId)
    expect(await client.next((m) => m.type === 'AUCTION_RESULT')).toMatchObject({
      auctionId: won.auctionId,
      result: 'WON',
      amount: 1_800_000,
    })

    const created = await api('POST', '/api/v1/payment/zalopay/create', token, {
      auctionId: won.auctionId,
      selectedNights: won.nights,
      amount: 1_800_000,
      orderInfo: 'Deno booking',
    })
    expect(created.status, JSON.stringify(created.body)).toBe(200)
    // Paid at the sandbox: its key2-signed callback goes to Deno's PUBLIC_BASE_URL for real.
    const settled = await fetch(`${zp.url}/__control/orders/${encodeURIComponent(created.body.appTransId)}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'success' }),
    })
    expect(settled.status).toBe(200)
    const completed = await client.next((m) => m.type === 'PAYMENT_STATUS' && m.status === 'COMPLETED')
    expect(completed).toMatchObject({ paymentId: created.body.sessionId, userId })
    expect((await api('GET', `/api/v1/payment/sessions/${created.body.sessionId}`, token)).body.status).toBe('PAID')
    client.ws.close()

    // Reconnecting with the last sequence seen before the payment replays what was missed.
    const auctionSeq = (client.messages.find((m) => m.type === 'AUCTION_RESULT') as { seq: number }).seq
    const replay = await connect(token)
    replay.ws.send(JSON.stringify({ type: 'SUBSCRIBE', userId, channels: ['payment_status'], lastSeq: auctionSeq }))
    expect(await replay.next((m) => m.type === 'PAYMENT_STATUS' && m.status === 'COMPLETED')).toMatchObject({ seq: completed.seq })
    // Replayed in order: the session's INITIATED, then COMPLETED, nothing from before lastSeq.
    expect(replay.messages.filter((m) => m.type === 'PAYMENT_STATUS').map((m) => [m.status, m.seq > auctionSeq])).toEqual([
      ['INITIATED', true],
      ['COMPLETED', true],
    ])
    replay.ws.close()

    // Another user's token cannot listen to this user's stream; a forged token cannot connect.
    const other = await connect(await testToken(`deno-other-${Date.now()}`))
    other.ws.send(JSON.stringify({ type: 'SUBSCRIBE', userId, channels: ['payment_status'] }))
    expect(await other.next((m) => m.type === 'ERROR')).toMatchObject({ code: 'SUBSCRIPTION_FORBIDDEN' })
    expect(other.messages.some((m) => m.type === 'PAYMENT_STATUS')).toBe(false)
    await expect(connect(`${token}x`)).rejects.toThrow()
  })
})
