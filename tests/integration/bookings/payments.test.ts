import { SELF } from 'cloudflare:test'
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { DrizzlePaymentSessionRepository } from '../../../src/bookings/adapters/drizzle-payment-session-repository.ts'
import type { PaymentSessionId } from '../../../src/bookings/domain/payment-session.ts'
import { runJob } from '../commerce/jobs.ts'
import { sharedDb } from '../db.ts'
import { call, token, uniq } from '../helpers.ts'
import { createPayment, openSocket, payOnSandbox, postCallback, pumpJobs, sandboxOrder, wonAuction, zp } from './support.ts'

const count = async (query: ReturnType<typeof sql>) => Number((await sharedDb().execute<{ n: number }>(query))[0]!.n)

/** A winner, their auction, and a created ZaloPay payment. */
async function pendingPayment(opts: { runnersUp?: Array<{ userId: string; amount: number }> } = {}) {
  const userId = `guest-${uniq()}`
  const t = await token(userId)
  const won = await wonAuction(userId, opts)
  const res = await createPayment(t, { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return {
    userId,
    t,
    ...won,
    payment: res.body as { orderUrl: string; appTransId: string; amount: number; sessionId: string; paymentId: string },
  }
}

describe('ZaloPay payment for an auction award (seed 003 §1-6)', () => {
  it('full flow: result pushed, create, pay, callback, PAYMENT_STATUS COMPLETED then BOOKING_CONFIRMED, booking readable', async () => {
    const userId = `guest-${uniq()}`
    const t = await token(userId)
    const { socket } = await openSocket(t)
    const ws = socket!
    await ws.subscribe(userId)

    const won = await wonAuction(userId, { nights: 3, amount: 3_600_000 })
    const result = await ws.next((m) => m.type === 'AUCTION_RESULT')
    expect(result).toMatchObject({
      type: 'AUCTION_RESULT',
      auctionId: won.auction.id,
      userId,
      result: 'WON',
      awardedNights: won.nights,
      amount: 3_600_000,
      propertyName: won.property.name,
    })
    expect(typeof result.paymentDeadline).toBe('string')

    const created = await createPayment(t, { auctionId: won.auction.id, selectedNights: [...won.nights].reverse(), amount: 3_600_000 })
    expect(created.status, JSON.stringify(created.body)).toBe(200)
    const p = created.body
    expect(p).toMatchObject({ amount: 3_600_000, paymentId: p.sessionId })
    expect(p.appTransId).toMatch(/^\d{6}_[0-9A-Z]{26}$/)
    expect(p.orderUrl).toMatch(/\/pay\//)
    // ZaloPay got the redirect to the session page and our callback URL.
    const order = await sandboxOrder(p.appTransId)
    expect(order).toMatchObject({
      amount: 3_600_000,
      appUser: userId,
      redirectUrl: `http://frontend.test/dashboard/payment/zalopay/${p.sessionId}`,
      callbackUrl: 'http://127.0.0.1:8787/api/v1/payment/zalopay/callback',
    })
    expect(await ws.next((m) => m.type === 'PAYMENT_STATUS')).toMatchObject({ paymentId: p.sessionId, status: 'INITIATED' })

    const session = await call('GET', `/api/v1/payment/sessions/${p.sessionId}`, { token: t })
    expect(session.body).toMatchObject({
      id: p.sessionId,
      auctionId: won.auction.id,
      userId,
      amount: 3_600_000,
      currency: 'VND',
      status: 'PENDING',
      appTransId: p.appTransId,
      orderUrl: p.orderUrl,
    })
    expect(Date.parse(session.body.expiresAt) - Date.parse(session.body.createdAt)).toBe(15 * 60_000)

    const body = await payOnSandbox(p.appTransId)
    expect(await postCallback(body)).toEqual({ status: 200, body: { return_code: 1, return_message: 'success' } })
    const paid = await ws.next((m) => m.type === 'PAYMENT_STATUS' && m.status !== 'INITIATED')
    expect(paid).toMatchObject({ type: 'PAYMENT_STATUS', paymentId: p.sessionId, userId, status: 'COMPLETED' })
    expect(paid.transactionId).toMatch(/^\d+$/)

    const status = await call('GET', `/api/v1/payment/zalopay/status/${p.appTransId}`, { token: t })
    expect(status.body).toMatchObject({ status: 'PAID', transactionId: paid.transactionId, amount: 3_600_000 })
    const byTx = await call('GET', `/api/v1/payment/transactions/${paid.transactionId}`, { token: t })
    expect(byTx.body).toMatchObject({ paymentId: p.sessionId, status: 'PAID', transactionId: paid.transactionId })

    // 404 until the booking exists; the queued jobs create it, block the nights, and so on.
    expect((await call('GET', `/api/v1/payment/${p.sessionId}/booking`, { token: t })).status).toBe(404)
    const ran = await pumpJobs()
    expect(ran).toEqual(
      expect.arrayContaining([
        'bookings.create-booking',
        'bookings.block-nights',
        'bookings.open-conversation',
        'bookings.send-confirmation',
        'bookings.notify-confirmed',
      ]),
    )
    const confirmed = await ws.next((m) => m.type === 'BOOKING_CONFIRMED')
    const booking = await call('GET', `/api/v1/payment/${p.sessionId}/booking`, { token: t })
    expect(booking.status).toBe(200)
    expect(booking.body).toMatchObject({
      propertyId: won.property.id,
      propertyName: won.property.name,
      hostId: won.property.hostId,
      checkIn: won.nights[0],
      guestCount: 1,
      totalAmount: 3_600_000,
      status: 'CONFIRMED',
    })
    expect(booking.body.referenceNumber).toMatch(/^BK-[0-9A-Z]{4}-[0-9A-Z]{4}$/)
    expect(confirmed).toEqual({
      type: 'BOOKING_CONFIRMED',
      bookingId: booking.body.id,
      userId,
      propertyName: won.property.name,
      checkIn: won.nights[0],
      checkOut: booking.body.checkOut,
      seq: confirmed.seq,
    })
    expect(confirmed.seq).toBeGreaterThan(paid.seq)

    // The nights are on the calendar, the thread and the email exist once; the front end calling
    // the same steps again changes nothing.
    const calendar = await call('GET', `/api/v1/properties/${won.property.id}/calendar?from=${won.nights[0]}&to=${won.nights[2]}`, {
      token: t,
    })
    expect(calendar.body.booked).toEqual(won.nights)
    expect(await call('POST', `/api/v1/bookings/${booking.body.id}/update-calendar`, { token: t })).toMatchObject({ status: 200, body: {} })
    const thread = await call('POST', `/api/v1/bookings/${booking.body.id}/conversation`, { token: t })
    const threadAgain = await call('POST', `/api/v1/bookings/${booking.body.id}/conversation`, { token: t })
    expect(thread.body.threadId).toMatch(/^thr_/)
    expect(threadAgain.body.threadId).toBe(thread.body.threadId)
    expect((await call('POST', `/api/v1/bookings/${booking.body.id}/send-confirmation`, { token: t })).status).toBe(200)
    expect(await count(sql`select count(*)::int as n from property_nights where booking_id = ${booking.body.id}`)).toBe(3)
    expect(
      await count(sql`select count(*)::int as n from booking_email_outbox where booking_id = ${booking.body.id} and status = 'SENT'`),
    ).toBe(1)
    expect(await count(sql`select count(*)::int as n from booking_conversations where booking_id = ${booking.body.id}`)).toBe(1)
    // Re-running every job changes nothing either.
    for (const name of ['bookings.block-nights', 'bookings.open-conversation', 'bookings.send-confirmation', 'bookings.notify-confirmed']) {
      expect((await runJob(name, { bookingId: booking.body.id })).status).toBe(200)
    }
    expect((await runJob('bookings.create-booking', { sessionId: p.sessionId })).body.bookingId).toBe(booking.body.id)
    expect(ws.messages.filter((m) => m.type === 'BOOKING_CONFIRMED')).toHaveLength(1)
    expect(await count(sql`select count(*)::int as n from bookings where payment_session_id = ${p.sessionId}`)).toBe(1)
    const mine = await call('GET', '/api/v1/user/bookings', { token: t })
    expect(mine.body.bookings.map((b: { id: string }) => b.id)).toEqual([booking.body.id])
    ws.close()
  })

  it('refuses a callback whose MAC does not verify, in ZaloPay’s answer form, and changes nothing', async () => {
    const { payment, t } = await pendingPayment()
    const body = await payOnSandbox(payment.appTransId)
    const envelope = JSON.parse(body) as { data: string; mac: string; type: number }
    const tampered = [
      JSON.stringify({ ...envelope, mac: envelope.mac.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }),
      JSON.stringify({ ...envelope, data: envelope.data.replace(/"amount":\d+/, '"amount":1') }),
      JSON.stringify({ ...envelope, mac: envelope.mac.toUpperCase() === envelope.mac ? 'x' : envelope.mac.toUpperCase() }),
    ]
    for (const forged of tampered)
      expect(await postCallback(forged)).toEqual({ status: 200, body: { return_code: -1, return_message: 'mac not equal' } })
    expect((await postCallback('{"data": 1}')).body.return_code).toBe(-1)
    expect((await postCallback('not json')).body.return_code).toBe(-1)
    const session = await call('GET', `/api/v1/payment/sessions/${payment.sessionId}`, { token: t })
    expect(session.body.status).toBe('PENDING')
    expect(await count(sql`select count(*)::int as n from zalopay_callbacks where app_trans_id = ${payment.appTransId}`)).toBe(0)
    // A callback signed with the right key but a different amount is not believed either: ZaloPay's
    // query answer is what counts.
    const forgedAmount = await zp('/__control/callbacks/send', {
      body: { data: { ...JSON.parse(envelope.data), amount: 1 }, url: 'http://127.0.0.1:9/never' },
    })
    const signedBody = forgedAmount.delivery.body as string
    expect((await postCallback(signedBody)).body.return_code).toBe(1)
    expect((await call('GET', `/api/v1/payment/sessions/${payment.sessionId}`, { token: t })).body).toMatchObject({
      status: 'PAID',
      amount: payment.amount,
    })
  })

  it('hands the callback body to the MAC check as sent: no request validator answers for ZaloPay', async () => {
    // The route documents its body but must not validate it (a validator would answer 400 or 415,
    // which ZaloPay treats as a failed delivery, instead of ZaloPay's {return_code} form).
    const { payment, t } = await pendingPayment()
    const body = await payOnSandbox(payment.appTransId)
    const spaced = JSON.stringify(JSON.parse(body), null, 2)
    const res = await SELF.fetch('http://worker.test/api/v1/payment/zalopay/callback', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: spaced,
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ return_code: 1, return_message: 'success' })
    expect((await call('GET', `/api/v1/payment/sessions/${payment.sessionId}`, { token: t })).body.status).toBe('PAID')
  })

  it('acknowledges a duplicate callback and applies it once, also for 5 copies at once', async () => {
    const { payment, t, userId } = await pendingPayment()
    const { socket } = await openSocket(t)
    await socket!.subscribe(userId, ['payment_status'])
    const body = await payOnSandbox(payment.appTransId)
    const replies = await Promise.all(Array.from({ length: 5 }, () => postCallback(body)))
    expect(replies.map((r) => r.body.return_code)).toEqual([1, 1, 1, 1, 1])
    const again = await postCallback(body)
    expect(again.body).toEqual({ return_code: 1, return_message: 'duplicate' })
    expect((await call('GET', `/api/v1/payment/sessions/${payment.sessionId}`, { token: t })).body.status).toBe('PAID')
    expect(
      await count(sql`select count(*)::int as n from audit_log where entity_id = ${payment.sessionId} and action = 'payment_session.paid'`),
    ).toBe(1)
    expect(await count(sql`select count(*)::int as n from zalopay_callbacks where app_trans_id = ${payment.appTransId}`)).toBe(1)
    await socket!.next((m) => m.status === 'COMPLETED')
    await pumpJobs()
    expect(await count(sql`select count(*)::int as n from bookings where payment_session_id = ${payment.sessionId}`)).toBe(1)
    expect(socket!.messages.filter((m) => m.status === 'COMPLETED')).toHaveLength(1)
    socket!.close()
  })

  it('checks amount and nights against the award (the client amount is never trusted); only the winner may pay', async () => {
    const userId = `guest-${uniq()}`
    const t = await token(userId)
    const won = await wonAuction(userId, { nights: 2, amount: 2_000_000 })
    const before = (await zp('/__control/state')).orders.length
    const cheaper = await createPayment(t, { auctionId: won.auction.id, selectedNights: won.nights, amount: 1_000 })
    expect(cheaper.status).toBe(422)
    expect(cheaper.body.error).toMatchObject({ code: 'AMOUNT_MISMATCH', details: { expected: 2_000_000, given: 1_000 } })
    const fewer = await createPayment(t, { auctionId: won.auction.id, selectedNights: won.nights.slice(0, 1), amount: 2_000_000 })
    expect(fewer.body.error.code).toBe('NIGHTS_MISMATCH')
    const twice = await createPayment(t, {
      auctionId: won.auction.id,
      selectedNights: [won.nights[0], won.nights[0], won.nights[1]],
      amount: 2_000_000,
    })
    expect(twice.body.error.code).toBe('NIGHTS_MISMATCH')
    const stranger = await createPayment(await token(`other-${uniq()}`), {
      auctionId: won.auction.id,
      selectedNights: won.nights,
      amount: 2_000_000,
    })
    expect(stranger.status).toBe(404)
    expect(stranger.body.error.code).toBe('AWARD_NOT_FOUND')
    const invalid = await createPayment(t, { auctionId: won.auction.id, selectedNights: ['2030-02-30'], amount: -5 })
    expect(invalid.status).toBe(400)
    expect(invalid.body.error.code).toBe('VALIDATION_FAILED')
    expect((await createPayment('', { auctionId: won.auction.id, selectedNights: won.nights, amount: 2_000_000 })).status).toBe(401)
    expect((await zp('/__control/state')).orders.length).toBe(before)
    expect(await count(sql`select count(*)::int as n from payment_sessions where auction_id = ${won.auction.id}`)).toBe(0)
  })

  it('a retried create returns the same session and ZaloPay order instead of a second one', async () => {
    const userId = `guest-${uniq()}`
    const t = await token(userId)
    const won = await wonAuction(userId)
    const req = { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount }
    const first = await createPayment(t, req)
    const second = await createPayment(t, req)
    const concurrent = await Promise.all([createPayment(t, req), createPayment(t, req), createPayment(t, req)])
    for (const r of [second, ...concurrent]) {
      expect(r.status).toBe(200)
      expect(r.body).toEqual(first.body)
    }
    // With an Idempotency-Key the replay is the stored answer.
    const key = `pay-${uniq()}`
    const k1 = await createPayment(t, req, { 'idempotency-key': key })
    const k2 = await createPayment(t, req, { 'idempotency-key': key })
    expect(k2.headers.get('idempotent-replayed')).toBe('true')
    expect(k2.body.appTransId).toBe(first.body.appTransId)
    expect(k1.body.appTransId).toBe(first.body.appTransId)
    const orders = (await zp('/__control/state')).orders.filter((o: { appUser: string }) => o.appUser === userId)
    expect(orders).toHaveLength(1)
    expect(await count(sql`select count(*)::int as n from payment_sessions where auction_id = ${won.auction.id}`)).toBe(1)
  })

  it('a create whose ZaloPay call failed is re-sent with the same app_trans_id: still one order', async () => {
    const userId = `guest-${uniq()}`
    const t = await token(userId)
    const won = await wonAuction(userId)
    const req = { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount }
    await zp('/__control/faults', { body: { operation: 'create', kind: 'http_500', times: 1 } })
    const failed = await createPayment(t, req)
    expect(failed.status).toBe(503)
    expect(failed.body.error.code).toBe('DEPENDENCY_UNAVAILABLE')
    const [row] = await sharedDb().execute<{ status: string; app_trans_id: string }>(
      sql`select status, app_trans_id from payment_sessions where auction_id = ${won.auction.id}`,
    )
    expect(row!.status).toBe('CREATED')
    const retried = await createPayment(t, req)
    expect(retried.status, JSON.stringify(retried.body)).toBe(200)
    expect(retried.body.appTransId).toBe(row!.app_trans_id)
    expect((await zp('/__control/state')).orders.filter((o: { appUser: string }) => o.appUser === userId)).toHaveLength(1)
  })

  it('recovers a lost callback through the status endpoint (same code path), and a late callback is a duplicate', async () => {
    const { payment, t } = await pendingPayment()
    const body = await payOnSandbox(payment.appTransId)
    const status = await call('GET', `/api/v1/payment/zalopay/status/${payment.appTransId}`, { token: t })
    expect(status.body).toMatchObject({ status: 'PAID', amount: payment.amount })
    expect(status.body.transactionId).toMatch(/^\d+$/)
    const [audit] = await sharedDb().execute<{ data: { source: string } }>(
      sql`select data from audit_log where entity_id = ${payment.sessionId} and action = 'payment_session.paid'`,
    )
    expect(audit!.data.source).toBe('status')
    expect(await postCallback(body)).toMatchObject({ body: { return_code: 1 } })
    expect(
      await count(sql`select count(*)::int as n from audit_log where entity_id = ${payment.sessionId} and action = 'payment_session.paid'`),
    ).toBe(1)
  })

  it('recovers a lost callback through the scheduled job (same code path) and expires unpaid sessions past expiresAt', async () => {
    const paidOne = await pendingPayment()
    const unpaid = await pendingPayment()
    await payOnSandbox(paidOne.payment.appTransId)
    const db = sharedDb()
    // Time passes: the paid one has waited two minutes for a callback, the unpaid one is past its expiry.
    await db.execute(
      sql`update payment_sessions set created_at = created_at - interval '2 minutes' where id = ${paidOne.payment.sessionId}`,
    )
    await db.execute(
      sql`update payment_sessions set expires_at = now() - interval '1 second', created_at = created_at - interval '16 minutes' where id = ${unpaid.payment.sessionId}`,
    )
    const run = await runJob('bookings.reconcile-payments')
    expect(run.status).toBe(200)
    expect(run.body.paid).toBeGreaterThanOrEqual(1)
    expect(run.body.expired).toBeGreaterThanOrEqual(1)
    expect((await call('GET', `/api/v1/payment/sessions/${paidOne.payment.sessionId}`, { token: paidOne.t })).body.status).toBe('PAID')
    const [audit] = await db.execute<{ data: { source: string } }>(
      sql`select data from audit_log where entity_id = ${paidOne.payment.sessionId} and action = 'payment_session.paid'`,
    )
    expect(audit!.data.source).toBe('reconcile')
    const expired = await call('GET', `/api/v1/payment/sessions/${unpaid.payment.sessionId}`, { token: unpaid.t })
    expect(expired.body.status).toBe('EXPIRED')
    expect((await call('GET', `/api/v1/payment/zalopay/status/${unpaid.payment.appTransId}`, { token: unpaid.t })).body.status).toBe(
      'FAILED',
    )

    // Money that still arrives for the expired session is refunded, never applied.
    const late = await payOnSandbox(unpaid.payment.appTransId)
    expect((await postCallback(late)).body.return_code).toBe(1)
    expect((await call('GET', `/api/v1/payment/sessions/${unpaid.payment.sessionId}`, { token: unpaid.t })).body.status).toBe('EXPIRED')
    const [refund] = await db.execute<{ reason: string; amount: number }>(
      sql`select reason, amount from zalopay_refunds where payment_session_id = ${unpaid.payment.sessionId}`,
    )
    expect(refund).toMatchObject({ reason: 'LATE_PAYMENT', amount: unpaid.payment.amount })
    // The job ran twice in a row changes nothing more.
    expect((await runJob('bookings.reconcile-payments')).status).toBe(200)
    expect(
      await count(
        sql`select count(*)::int as n from audit_log where entity_id = ${paidOne.payment.sessionId} and action = 'payment_session.paid'`,
      ),
    ).toBe(1)
  })

  it('the transition table refuses FAILED (or EXPIRED) after PAID', async () => {
    const { payment, t } = await pendingPayment()
    await postCallback(await payOnSandbox(payment.appTransId))
    const repo = new DrizzlePaymentSessionRepository(sharedDb())
    const audit = { actor: 'test', action: 'x', entityType: 'payment_session', entityId: payment.sessionId, requestId: 'r', at: new Date() }
    const id = payment.sessionId as PaymentSessionId
    expect(await repo.transition(id, 'PAID', 'fail', {}, audit)).toBeNull()
    expect(await repo.transition(id, 'PAID', 'expire', {}, audit)).toBeNull()
    // Even claiming it is still pending does not get past the guarded update.
    expect(await repo.transition(id, 'PENDING', 'fail', {}, audit)).toBeNull()
    expect((await call('GET', `/api/v1/payment/sessions/${payment.sessionId}`, { token: t })).body.status).toBe('PAID')
  })

  it('a ZaloPay-reported amount different from the award fails the session and refunds it', async () => {
    const { payment, t } = await pendingPayment()
    const body = await payOnSandbox(payment.appTransId, { amount: payment.amount - 1000 })
    expect((await postCallback(body)).body.return_code).toBe(1)
    const s = await call('GET', `/api/v1/payment/sessions/${payment.sessionId}`, { token: t })
    expect(s.body.status).toBe('FAILED')
    const [refund] = await sharedDb().execute<{ reason: string; amount: number }>(
      sql`select reason, amount from zalopay_refunds where payment_session_id = ${payment.sessionId}`,
    )
    expect(refund).toMatchObject({ reason: 'AMOUNT_MISMATCH', amount: payment.amount - 1000 })
  })

  it('endpoints 3, 4, 6 (and 2, 5) answer 404 to anyone but the session owner', async () => {
    const { payment, t } = await pendingPayment()
    await postCallback(await payOnSandbox(payment.appTransId))
    const tx = (await call('GET', `/api/v1/payment/sessions/${payment.sessionId}`, { token: t })).body.transactionId
    await pumpJobs()
    expect((await call('GET', `/api/v1/payment/${payment.sessionId}/booking`, { token: t })).status).toBe(200)
    const stranger = await token(`stranger-${uniq()}`)
    for (const [method, path] of [
      ['GET', `/api/v1/payment/sessions/${payment.sessionId}`],
      ['GET', `/api/v1/payment/transactions/${tx}`],
      ['GET', `/api/v1/payment/${payment.sessionId}/booking`],
      ['POST', `/api/v1/payment/${payment.sessionId}/booking`],
      ['GET', `/api/v1/payment/zalopay/status/${payment.appTransId}`],
    ] as const) {
      const r = await call(method, path, { token: stranger })
      expect(r.status, `${method} ${path}`).toBe(404)
      expect((await call(method, path)).status).toBe(401)
    }
  })

  it('POST /payment/{id}/booking creates the booking directly (idempotent); 409 before payment', async () => {
    const { payment, t, nights } = await pendingPayment()
    const early = await call('POST', `/api/v1/payment/${payment.sessionId}/booking`, { token: t })
    expect(early.status).toBe(409)
    expect(early.body.error.code).toBe('PAYMENT_NOT_COMPLETED')
    await postCallback(await payOnSandbox(payment.appTransId))
    const a = await call('POST', `/api/v1/payment/${payment.sessionId}/booking`, { token: t })
    const b = await call('POST', `/api/v1/payment/${payment.sessionId}/booking`, { token: t })
    expect(a.status).toBe(200)
    expect(a.body).toMatchObject({ status: 'CONFIRMED', checkIn: nights[0] })
    expect(b.body.id).toBe(a.body.id)
    await pumpJobs()
    expect((await call('GET', `/api/v1/payment/${payment.sessionId}/booking`, { token: t })).body.id).toBe(a.body.id)
  })
})

describe('second-chance offers', () => {
  it('an admin lapses an unpaid award: the next bidder gets SECOND_CHANCE_OFFER, accepts and pays their bid', async () => {
    const winner = `winner-${uniq()}`
    const runner = `runner-${uniq()}`
    const rt = await token(runner)
    const { socket } = await openSocket(rt)
    await socket!.subscribe(runner)
    const won = await wonAuction(winner, { amount: 3_000_000, runnersUp: [{ userId: runner, amount: 2_800_000 }] })
    const { adminToken } = await import('../helpers.ts')
    const lapsed = await call('POST', `/api/admin/awards/${won.award.id}/lapse`, { token: await adminToken() })
    expect(lapsed.status, JSON.stringify(lapsed.body)).toBe(200)
    const offer = await socket!.next((m) => m.type === 'SECOND_CHANCE_OFFER')
    expect(offer).toMatchObject({
      type: 'SECOND_CHANCE_OFFER',
      offerId: lapsed.body.offer.id,
      auctionId: won.auction.id,
      userId: runner,
      offeredNights: won.nights,
      amount: 2_800_000,
      propertyName: won.property.name,
    })
    const winnerTries = await createPayment(await token(winner), {
      auctionId: won.auction.id,
      selectedNights: won.nights,
      amount: 3_000_000,
    })
    expect(winnerTries.status).toBe(409)
    expect(winnerTries.body.error.code).toBe('AWARD_NOT_PAYABLE')
    const notYet = await createPayment(rt, { auctionId: won.auction.id, selectedNights: won.nights, amount: 2_800_000 })
    expect(notYet.body.error.code).toBe('AWARD_NOT_PAYABLE')
    expect((await call('POST', `/api/v1/second-chance-offers/${offer.offerId}/accept`, { token: await token(winner) })).status).toBe(404)
    const accepted = await call('POST', `/api/v1/second-chance-offers/${offer.offerId}/accept`, { token: rt })
    expect(accepted.body.award).toMatchObject({ status: 'AWARDED', kind: 'SECOND_CHANCE' })
    const pay = await createPayment(rt, { auctionId: won.auction.id, selectedNights: won.nights, amount: 2_800_000 })
    expect(pay.status, JSON.stringify(pay.body)).toBe(200)
    await postCallback(await payOnSandbox(pay.body.appTransId))
    await pumpJobs()
    expect((await call('GET', `/api/v1/payment/${pay.body.sessionId}/booking`, { token: rt })).body).toMatchObject({
      status: 'CONFIRMED',
      totalAmount: 2_800_000,
    })
    socket!.close()
  })

  it('the scheduled job lapses awards past their deadline and expires unanswered offers, offering down the list', async () => {
    const winner = `winner-${uniq()}`
    const second = `second-${uniq()}`
    const third = `third-${uniq()}`
    const won = await wonAuction(winner, {
      runnersUp: [
        { userId: second, amount: 2_000_000 },
        { userId: third, amount: 1_900_000 },
      ],
    })
    const db = sharedDb()
    await db.execute(sql`update auction_awards set payment_deadline = now() - interval '1 second' where id = ${won.award.id}`)
    const first = await runJob('bookings.lapse-awards')
    expect(first.body).toMatchObject({ status: 'ok' })
    expect(first.body.lapsed).toBeGreaterThanOrEqual(1)
    const [offer] = await db.execute<{ id: string; user_id: string; status: string }>(
      sql`select id, user_id, status from auction_awards where root_award_id = ${won.award.id} and kind = 'SECOND_CHANCE'`,
    )
    expect(offer).toMatchObject({ user_id: second, status: 'OFFERED' })
    await db.execute(sql`update auction_awards set response_deadline = now() - interval '1 second' where id = ${offer!.id}`)
    await runJob('bookings.lapse-awards')
    const offers = await db.execute<{ user_id: string; status: string }>(
      sql`select user_id, status from auction_awards where root_award_id = ${won.award.id} and kind = 'SECOND_CHANCE' order by created_at`,
    )
    expect(offers.map((o) => [o.user_id, o.status])).toEqual([
      [second, 'EXPIRED'],
      [third, 'OFFERED'],
    ])
    const declined = await call(
      'POST',
      `/api/v1/second-chance-offers/${(await db.execute<{ id: string }>(sql`select id from auction_awards where user_id = ${third}`))[0]!.id}/decline`,
      { token: await token(third) },
    )
    expect(declined.body.award.status).toBe('DECLINED')
    expect(
      await count(
        sql`select count(*)::int as n from auction_awards where root_award_id = ${won.award.id} and status in ('OFFERED', 'AWARDED')`,
      ),
    ).toBe(0)
  })

  it('an award with a payment being made does not lapse', async () => {
    const { award, payment } = await pendingPayment({ runnersUp: [{ userId: `r-${uniq()}`, amount: 1_000_000 }] })
    const db = sharedDb()
    await db.execute(sql`update auction_awards set payment_deadline = now() - interval '1 second' where id = ${award.id}`)
    await runJob('bookings.lapse-awards')
    const [row] = await db.execute<{ status: string }>(sql`select status from auction_awards where id = ${award.id}`)
    expect(row!.status).toBe('AWARDED')
    expect(payment.sessionId).toMatch(/^ps_/)
  })
})
