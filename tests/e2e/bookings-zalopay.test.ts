import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { devToken, startDevStack, type DevStack } from '../../tools/dev/stack.ts'
import { startZaloPaySandbox, type ZaloPaySandbox } from '../../tools/zalopay-sandbox/server.ts'
import { TEST_ENV } from '../support/test-env.ts'
import { bookingsClient } from './bookings-client.ts'
import { noBrowser, launchChromium } from '../../tools/shared/browser.ts'

/**
 * Seed 003 end to end over real HTTP and WebSocket: the Worker under wrangler dev (a Durable
 * Object per user), QStash delivering the booking jobs, and the ZaloPay sandbox paid by clicking
 * its page in headless Chromium, its key2-signed callback reaching the Worker for real. A browser
 * client of /payment-notifications gets PAYMENT_STATUS COMPLETED, then BOOKING_CONFIRMED. The
 * same with the callback dropped: the front end's polling of the status endpoint reconciles.
 */
let stack: DevStack
let zp: ZaloPaySandbox
let persistTo: string
const logs: string[] = []

beforeAll(async () => {
  zp = await startZaloPaySandbox({ port: 0, callbackRetryScale: 0.01 })
  persistTo = mkdtempSync(join(tmpdir(), 'e2e-bookings-'))
  stack = await startDevStack({
    databaseUrl: TEST_ENV.e2eDatabaseUrl,
    seed: false,
    persistTo,
    vars: { ZALOPAY_APP_ID: String(zp.appId), ZALOPAY_KEY1: zp.key1, ZALOPAY_KEY2: zp.key2, ZALOPAY_API_URL: zp.url, LOG_LEVEL: 'warn' },
    log: (l) => logs.push(l),
  })
  // The front end is not running: the test only checks where the redirect points
  // (FRONTEND_BASE_URL defaults to http://localhost:3000).
})
afterAll(async () => {
  await stack?.close()
  await zp?.close()
  if (persistTo) rmSync(persistTo, { recursive: true, force: true })
})

const client = () => bookingsClient(stack.urls.worker, stack.adminToken)
const api: ReturnType<typeof bookingsClient>['api'] = (...a) => client().api(...a)
const subscribe: ReturnType<typeof bookingsClient>['subscribe'] = (...a) => client().subscribe(...a)
const wonAuction: ReturnType<typeof bookingsClient>['wonAuction'] = (...a) => client().wonAuction(...a)

async function clickOnSandboxPage(orderUrl: string, button: 'Pay' | 'Fail') {
  const browser = await launchChromium()
  try {
    const page = await browser.newPage()
    await page.goto(orderUrl)
    expect(await page.locator('body').getAttribute('data-state')).toBe('pending')
    const navigation = page.waitForRequest(/\/dashboard\/payment\/zalopay\//)
    await page.getByRole('button', { name: button }).click()
    return (await navigation).url()
  } finally {
    await browser.close()
  }
}

describe.skipIf(noBrowser())('auction booking paid with ZaloPay, pushed over WebSocket', () => {
  it('pays on the sandbox page: the callback reaches the Worker, COMPLETED then BOOKING_CONFIRMED arrive, the booking is readable', async () => {
    const userId = `e2e-guest-${Date.now()}`
    const token = await devToken(userId, [])
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
      orderInfo: `Booking for ${won.propertyName}`,
    })
    expect(created.status, JSON.stringify(created.body)).toBe(200)
    expect(created.body.orderUrl).toContain(zp.url)

    const landed = await clickOnSandboxPage(created.body.orderUrl, 'Pay')
    expect(landed).toContain(`/dashboard/payment/zalopay/${created.body.sessionId}?`)
    expect(new URL(landed).searchParams.get('status')).toBe('1')

    const completed = await client.next((m) => m.type === 'PAYMENT_STATUS' && m.status === 'COMPLETED')
    expect(completed).toMatchObject({ paymentId: created.body.sessionId, userId })
    const confirmed = await client.next((m) => m.type === 'BOOKING_CONFIRMED')
    expect(confirmed.seq).toBeGreaterThan(completed.seq)
    const booking = await api('GET', `/api/v1/payment/${created.body.sessionId}/booking`, token)
    expect(booking.status).toBe(200)
    expect(booking.body).toMatchObject({ id: confirmed.bookingId, status: 'CONFIRMED', checkIn: won.nights[0], totalAmount: 1_800_000 })
    const deliveries = (await (await fetch(`${zp.url}/__control/callbacks?app_trans_id=${created.body.appTransId}`)).json()) as {
      deliveries: Array<{ acked: boolean }>
    }
    expect(deliveries.deliveries[0]!.acked).toBe(true)
    client.ws.close()
  })

  it('with the callback dropped, polling the status endpoint reconciles and the booking follows', async () => {
    const userId = `e2e-poller-${Date.now()}`
    const token = await devToken(userId, [])
    const client = await subscribe(userId, token)
    const won = await wonAuction(userId)
    const created = await api('POST', '/api/v1/payment/zalopay/create', token, {
      auctionId: won.auctionId,
      selectedNights: won.nights,
      amount: 1_800_000,
      orderInfo: 'poll',
    })
    await fetch(`${zp.url}/__control/callbacks/suppress`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_trans_id: created.body.appTransId }),
    })
    await clickOnSandboxPage(created.body.orderUrl, 'Pay')
    expect((await api('GET', `/api/v1/payment/sessions/${created.body.sessionId}`, token)).body.status).toBe('PENDING')

    // The front end's fallback: session → appTransId → status, until PAID.
    const session = await api('GET', `/api/v1/payment/sessions/${created.body.sessionId}`, token)
    const status = await api('GET', `/api/v1/payment/zalopay/status/${session.body.appTransId}`, token)
    expect(status.body.status).toBe('PAID')
    expect(await client.next((m) => m.type === 'PAYMENT_STATUS' && m.status === 'COMPLETED')).toMatchObject({
      transactionId: status.body.transactionId,
    })
    await client.next((m) => m.type === 'BOOKING_CONFIRMED')
    const byTx = await api('GET', `/api/v1/payment/transactions/${status.body.transactionId}`, token)
    expect(byTx.body).toMatchObject({ paymentId: created.body.sessionId, status: 'PAID' })
    client.ws.close()
  })
})
