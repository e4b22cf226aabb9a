import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createPayment, payOnSandbox, postCallback, pumpJobs, wonAuction } from '../integration/bookings/support.ts'
import { runJob } from '../integration/commerce/jobs.ts'
import { adminToken, call, token, uniq } from '../integration/helpers.ts'
import { measure, recordBudget, type Counts } from './round-trips.ts'

/**
 * Seed 003 (auction bookings paid with ZaloPay): the callback settles in one statement after one
 * read (the read decides whether ZaloPay is asked at all), each fulfilment step commits in one
 * statement after its read, and every GET is one statement.
 */

function expectBudget(name: string, c: Counts, statements: number) {
  recordBudget(name, c)
  expect(c.statements, name).toBe(statements)
  expect(c.redisCalls, name).toBe(0)
  expect(c.roundTrips, name).toBeLessThanOrEqual(2 * c.statements)
}

const get = async (path: string, tok: string) => {
  const res = await SELF.fetch(`http://worker.test${path}`, { headers: { authorization: `Bearer ${tok}` } })
  return { status: res.status, body: (await res.json()) as any }
}

/** A won auction with a PENDING ZaloPay payment, and the signed callback ZaloPay would POST once paid. */
async function paidOnZaloPay() {
  const userId = `budget-${uniq()}`
  const t = await token(userId)
  const won = await wonAuction(userId)
  const created = await createPayment(t, { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })
  expect(created.status, JSON.stringify(created.body)).toBe(200)
  const callback = await payOnSandbox(created.body.appTransId)
  return { t, won, sessionId: created.body.sessionId as string, appTransId: created.body.appTransId as string, callback }
}

describe('bookings round trips', () => {
  it('ZaloPay callback: one read, then the settlement in one statement; a redelivery is one statement', async () => {
    const p = await paidOnZaloPay()
    const first = await measure(() => postCallback(p.callback))
    expect(first.result).toEqual({ status: 200, body: { return_code: 1, return_message: 'success' } })
    expectBudget('POST /api/v1/payment/zalopay/callback (paid)', first.settled, 2)

    const again = await measure(() => postCallback(p.callback))
    expect(again.result.body).toEqual({ return_code: 1, return_message: 'duplicate' })
    expectBudget('POST /api/v1/payment/zalopay/callback (duplicate)', again.settled, 1)
  })

  it('fulfilment steps: one read and one commit each', async () => {
    const p = await paidOnZaloPay()
    await postCallback(p.callback)

    const created = await measure(() => runJob('bookings.create-booking', { sessionId: p.sessionId }))
    expect(created.result.status).toBe(200)
    expect(created.result.body.bookingStatus).toBe('PENDING')
    expectBudget('job bookings.create-booking', created.settled, 2)
    const bookingId = created.result.body.bookingId as string

    const blocked = await measure(() => runJob('bookings.block-nights', { bookingId }))
    expect(blocked.result.body).toMatchObject({ bookingStatus: 'CONFIRMED' })
    expectBudget('job bookings.block-nights', blocked.settled, 2)

    const thread = await measure(() => runJob('bookings.open-conversation', { bookingId }))
    expect(thread.result.body.threadId).toMatch(/^thr_/)
    expectBudget('job bookings.open-conversation', thread.settled, 2)

    // The email is queued already claimed and handed to the mailer; marking it sent is the third.
    const email = await measure(() => runJob('bookings.send-confirmation', { bookingId }))
    expect(email.result.body).toMatchObject({ queued: true })
    expectBudget('job bookings.send-confirmation', email.settled, 3)

    const pushed = await measure(() => runJob('bookings.notify-confirmed', { bookingId }))
    expect(pushed.result.body.seq).toEqual(expect.any(Number))
    expectBudget('job bookings.notify-confirmed', pushed.settled, 2)
  })

  it('second chance: a lapse with its offer, and the answers to an offer, one commit each', async () => {
    const runner = `budget-runner-${uniq()}`
    const rt = await token(runner)
    const won = await wonAuction(`budget-winner-${uniq()}`, { runnersUp: [{ userId: runner, amount: 2_000_000 }] })
    const admin = await adminToken()

    // The award read, its lapse, then the offer: one read (root, property, next runner-up) and one commit.
    const lapsed = await measure(() => call('POST', `/api/admin/awards/${won.award.id}/lapse`, { token: admin }))
    expect(lapsed.result.status, JSON.stringify(lapsed.result.body)).toBe(200)
    expect(lapsed.result.body.offer).toMatchObject({ userId: runner, status: 'OFFERED' })
    expectBudget('POST /api/admin/awards/:awardId/lapse (with the offer)', lapsed.settled, 4)

    const accepted = await measure(() => call('POST', `/api/v1/second-chance-offers/${lapsed.result.body.offer.id}/accept`, { token: rt }))
    expect(accepted.result.body.award).toMatchObject({ status: 'AWARDED' })
    expectBudget('POST /api/v1/second-chance-offers/:offerId/accept', accepted.settled, 2)
  })

  it('every GET of seed 003: one statement', async () => {
    const p = await paidOnZaloPay()
    await postCallback(p.callback)
    await pumpJobs()
    const session = await get(`/api/v1/payment/sessions/${p.sessionId}`, p.t)
    expect(session.body.status).toBe('PAID')

    const gets: Array<[string, string]> = [
      ['GET /api/v1/payment/zalopay/status/:appTransId (settled)', `/api/v1/payment/zalopay/status/${p.appTransId}`],
      ['GET /api/v1/payment/sessions/:sessionId', `/api/v1/payment/sessions/${p.sessionId}`],
      ['GET /api/v1/payment/transactions/:transactionId', `/api/v1/payment/transactions/${session.body.transactionId}`],
      ['GET /api/v1/payment/:paymentId/booking', `/api/v1/payment/${p.sessionId}/booking`],
      ['GET /api/v1/user/bookings', '/api/v1/user/bookings'],
      ['GET /api/v1/user/auction-awards', '/api/v1/user/auction-awards'],
      ['GET /api/v1/properties/:propertyId/calendar', `/api/v1/properties/${p.won.property.id}/calendar`],
    ]
    for (const [name, path] of gets) {
      const { result, settled } = await measure(() => get(path, p.t))
      expect(result.status, `${name}: ${JSON.stringify(result.body)}`).toBe(200)
      expectBudget(name, settled, 1)
    }
    // 404s cost the same one statement.
    const stranger = await token(`stranger-${uniq()}`)
    const notMine = await measure(() => call('GET', `/api/v1/payment/${p.sessionId}/booking`, { token: stranger }))
    expect(notMine.result.status).toBe(404)
    expectBudget('GET /api/v1/payment/:paymentId/booking (not mine)', notMine.settled, 1)
  })
})
