import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createClient } from '../../../src/client.ts'
import { token, uniq } from '../helpers.ts'
import { payOnSandbox, pumpJobs, wonAuction } from './support.ts'

/**
 * Seed 003's front end flow through the typed client a front end would use (src/client.ts): every
 * call below is typed from the app's own routes, so a renamed path or field fails the typecheck.
 */
describe('seed 003 through the typed client', () => {
  it('awards, create payment, callback, status, booking', async () => {
    const userId = `typed-${uniq()}`
    const won = await wonAuction(userId, { nights: 2, amount: 2_400_000 })
    const api = createClient('http://worker.test', {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => SELF.fetch(input, init),
      headers: { authorization: `Bearer ${await token(userId)}` },
    }).api.v1

    const awards = await api.user['auction-awards'].$get()
    expect(awards.status).toBe(200)
    expect(JSON.stringify(await awards.json())).toContain(won.auction.id)

    const created = await api.payment.zalopay.create.$post({
      json: { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount, orderInfo: 'typed client' },
    })
    expect(created.status).toBe(200)
    const payment = (await created.json()) as { appTransId: string; sessionId: string }

    const callback = await api.payment.zalopay.callback.$post(
      {},
      { init: { body: await payOnSandbox(payment.appTransId), headers: { 'content-type': 'application/json' } } },
    )
    expect(await callback.json()).toEqual({ return_code: 1, return_message: 'success' })

    const status = await api.payment.zalopay.status[':appTransId'].$get({ param: { appTransId: payment.appTransId } })
    expect(await status.json()).toMatchObject({ status: 'PAID', amount: won.amount })

    await pumpJobs()
    const booking = await api.payment[':paymentId'].booking.$get({ param: { paymentId: payment.sessionId } })
    expect(booking.status).toBe(200)
    expect(await booking.json()).toMatchObject({ propertyId: won.property.id, checkIn: won.nights[0] })

    const unauthenticated = await createClient('http://worker.test', {
      fetch: (i: RequestInfo | URL, init?: RequestInit) => SELF.fetch(i, init),
    }).api.v1.user.bookings.$get({ query: {} })
    expect(unauthenticated.status).toBe(401)
  })
})
