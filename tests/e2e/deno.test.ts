import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seed } from '../../tools/db/seed.ts'
import { freePort } from '../../tools/dev/stack.ts'
import { startUpstashRedisDev, type UpstashRedisDev } from '../../tools/upstash-redis-dev/server.ts'
import { startZaloPaySandbox, type ZaloPaySandbox } from '../../tools/zalopay-sandbox/server.ts'
import { TEST_ENV } from '../support/test-env.ts'
import { bookingsClient } from './bookings-client.ts'
import { testToken } from './test-token.ts'

/**
 * The same Hono app served by Deno (the `deno` npm package), with a direct Postgres connection and
 * the in-process event hub instead of Durable Objects: proves nothing below the entries depends
 * on Workers, WebSockets included.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
let deno: ChildProcess
let upstash: UpstashRedisDev
let zp: ZaloPaySandbox
let base: string
const output: string[] = []

beforeAll(async () => {
  await seed(TEST_ENV.e2eDatabaseUrl)
  upstash = await startUpstashRedisDev({ port: 0, token: 'deno-test-token', redisUrl: TEST_ENV.redisUrl })
  zp = await startZaloPaySandbox({ port: 0, callbackRetryScale: 0.01 })
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  deno = spawn(
    fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url)),
    ['run', '--allow-net', '--allow-env', '--allow-read', '--allow-sys', 'src/deno.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: TEST_ENV.e2eDatabaseUrl,
        UPSTASH_REDIS_REST_URL: upstash.url,
        UPSTASH_REDIS_REST_TOKEN: 'deno-test-token',
        QSTASH_URL: 'http://127.0.0.1:9',
        QSTASH_TOKEN: 'unused',
        QSTASH_CURRENT_SIGNING_KEY: 'unused-current',
        QSTASH_NEXT_SIGNING_KEY: 'unused-next',
        PUBLIC_BASE_URL: base,
        AUTH_ISSUER: TEST_ENV.issuer,
        AUTH_AUDIENCE: TEST_ENV.audience,
        AUTH_HS256_SECRET: TEST_ENV.hs256Secret,
        ZALOPAY_APP_ID: String(zp.appId),
        ZALOPAY_KEY1: zp.key1,
        ZALOPAY_KEY2: zp.key2,
        ZALOPAY_API_URL: zp.url,
        DENO_NO_UPDATE_CHECK: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  deno.stdout!.on('data', (c: Buffer) => output.push(c.toString()))
  deno.stderr!.on('data', (c: Buffer) => output.push(c.toString()))
  const deadline = Date.now() + 90_000
  for (;;) {
    if (deno.exitCode !== null) throw new Error(`deno exited ${deno.exitCode}: ${output.join('')}`)
    try {
      if ((await fetch(`${base}/health`)).status === 200) break
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error(`deno not healthy: ${output.join('')}`)
    await new Promise((r) => setTimeout(r, 250))
  }
})

afterAll(async () => {
  deno?.kill('SIGTERM')
  await upstash?.close()
  await zp?.close()
})

describe('Deno entry', () => {
  it('redeems a gift through the same app', async () => {
    const body = { gift_id: 'DEMO-GIFT-0003', supplier_invoice_no: 'ACC-OSAKA-NAMBA', pin: '4321' }
    const r = await fetch(`${base}/api/gifts/use`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(r.status).toBe(200)
    const json = (await r.json()) as { gift: { gift_status: number; used_supplier_code: string } }
    expect(json.gift).toMatchObject({ gift_status: 1, used_supplier_code: 'SUP-OSAKA' })
    const again = await fetch(`${base}/api/gifts/use`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
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
    expect(await client.next((m) => m.type === 'AUCTION_RESULT')).toMatchObject({ auctionId: won.auctionId, result: 'WON', amount: 1_800_000 })

    const created = await api('POST', '/api/v1/payment/zalopay/create', token, { auctionId: won.auctionId, selectedNights: won.nights, amount: 1_800_000, orderInfo: 'Deno booking' })
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
