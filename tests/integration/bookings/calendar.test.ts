import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { runJob } from '../commerce/jobs.ts'
import { sharedDb } from '../db.ts'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { createPayment, nightsAhead, newAuction, newProperty, payOnSandbox, postCallback, pumpJobs, wonAuction, zp } from './support.ts'

const book = (t: string, body: Record<string, unknown>) => call('POST', '/api/v1/bookings', { token: t, body })

describe('calendar and bookings (seed 003 §7, §10)', () => {
  it('two bookings for one night: exactly one wins, over HTTP and in the database itself', async () => {
    const property = await newProperty({ nightlyRate: 1_000_000 })
    const [n1, n2, n3] = nightsAhead(40, 3)
    const guests = await Promise.all(Array.from({ length: 8 }, (_, i) => token(`racer-${i}-${uniq()}`)))
    // Overlapping stays: every one of them includes n2.
    const results = await Promise.all(
      guests.map((t, i) =>
        book(t, { propertyId: property.id, checkIn: i % 2 === 0 ? n1 : n2, checkOut: i % 3 === 0 ? n3 : n3, guestCount: 2 }),
      ),
    )
    const won = results.filter((r) => r.status === 201)
    expect(won).toHaveLength(1)
    for (const r of results.filter((x) => x.status !== 201)) {
      expect(r.status).toBe(409)
      expect(r.body.error.code).toBe('NIGHTS_UNAVAILABLE')
    }
    const db = sharedDb()
    const rows = await db.execute<{ night: string; booking_id: string }>(
      sql`select night::text, booking_id from property_nights where property_id = ${property.id} order by night`,
    )
    expect(rows.every((r) => r.booking_id === won[0]!.body.id)).toBe(true)
    // Whatever the application does, the database refuses the night a second time.
    const other = await book(await token(`solo-${uniq()}`), {
      propertyId: property.id,
      checkIn: nightsAhead(60, 1)[0],
      checkOut: nightsAhead(61, 1)[0],
      guestCount: 1,
    })
    await expect(
      db.execute(
        sql`insert into property_nights (property_id, night, booking_id, created_at) values (${property.id}, ${n2}::date, ${other.body.id}, now())`,
      ),
    ).rejects.toThrow()
    expect(won[0]!.body).toMatchObject({
      status: 'CONFIRMED',
      propertyId: property.id,
      guestCount: 2,
      totalAmount: 1_000_000 * (won[0]!.body.nights.length as number),
    })
  })

  it('refuses nights held by an open auction or an unpaid award, and too many guests', async () => {
    const property = await newProperty({ maxGuests: 2 })
    const nights = nightsAhead(50, 2)
    const auction = await newAuction(property.id, nights)
    const t = await token(`guest-${uniq()}`)
    const during = await book(t, { propertyId: property.id, checkIn: nights[0], checkOut: nightsAhead(52, 1)[0], guestCount: 1 })
    expect(during.status).toBe(409)
    expect(during.body.error).toMatchObject({ code: 'NIGHTS_UNAVAILABLE', details: { nights } })
    const overlapping = await call('POST', '/api/admin/auctions', {
      token: await adminToken(),
      body: { propertyId: property.id, nights: [nights[1]] },
    })
    expect(overlapping.status).toBe(409)
    await call('POST', `/api/admin/auctions/${auction.id}/results`, {
      token: await adminToken(),
      body: {
        awards: [{ userId: `w-${uniq()}`, nights, amount: 1_000_000, paymentDeadline: new Date(Date.now() + 3600_000).toISOString() }],
      },
    })
    expect((await book(t, { propertyId: property.id, checkIn: nights[0], checkOut: nightsAhead(52, 1)[0], guestCount: 1 })).status).toBe(
      409,
    )
    const crowd = await book(t, { propertyId: property.id, checkIn: nightsAhead(70, 1)[0], checkOut: nightsAhead(71, 1)[0], guestCount: 3 })
    expect(crowd.status).toBe(422)
    expect(crowd.body.error.code).toBe('GUEST_COUNT_EXCEEDED')
    const past = await book(t, { propertyId: property.id, checkIn: '2020-01-01', checkOut: '2020-01-02', guestCount: 1 })
    expect(past.body.error.code).toBe('INVALID_NIGHTS')
  })

  it('cancelling frees the nights at once; only the owner can cancel; twice is refused', async () => {
    const property = await newProperty()
    const [checkIn, checkOut] = nightsAhead(45, 2)
    const alice = await token(`alice-${uniq()}`)
    const bob = await token(`bob-${uniq()}`)
    const a = await book(alice, { propertyId: property.id, checkIn, checkOut, guestCount: 1 })
    expect(a.status).toBe(201)
    expect((await book(bob, { propertyId: property.id, checkIn, checkOut, guestCount: 1 })).status).toBe(409)
    expect((await call('DELETE', `/api/v1/bookings/${a.body.id}`, { token: bob })).status).toBe(404)
    const cancelled = await call('DELETE', `/api/v1/bookings/${a.body.id}`, { token: alice })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body).toMatchObject({ booking: { status: 'CANCELLED' }, refund: null })
    expect((await call('DELETE', `/api/v1/bookings/${a.body.id}`, { token: alice })).body.error.code).toBe('BOOKING_NOT_CANCELLABLE')
    const b = await book(bob, { propertyId: property.id, checkIn, checkOut, guestCount: 1 })
    expect(b.status).toBe(201)
    const list = await call('GET', '/api/v1/user/bookings', { token: alice })
    expect(list.body.bookings.map((x: { id: string; status: string }) => [x.id, x.status])).toEqual([[a.body.id, 'CANCELLED']])
  })

  it('cancelling a ZaloPay-paid booking refunds through ZaloPay, polling query_refund until it settles', async () => {
    const userId = `guest-${uniq()}`
    const t = await token(userId)
    const won = await wonAuction(userId, { amount: 2_000_000 })
    const p = (await createPayment(t, { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })).body
    await postCallback(await payOnSandbox(p.appTransId))
    await pumpJobs()
    const booking = (await call('GET', `/api/v1/payment/${p.sessionId}/booking`, { token: t })).body
    const cancelled = await call('DELETE', `/api/v1/bookings/${booking.id}`, { token: t })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.refund).toMatchObject({ amount: 2_000_000, status: 'PENDING', reason: 'BOOKING_CANCELLED' })
    const db = sharedDb()
    expect((await db.execute(sql`select 1 from property_nights where booking_id = ${booking.id}`)).length).toBe(0)
    // The refund job submits it; ZaloPay keeps it processing until it settles.
    await pumpJobs()
    const [submitted] = await db.execute<{ status: string; m_refund_id: string }>(
      sql`select status, m_refund_id from zalopay_refunds where id = ${cancelled.body.refund.id}`,
    )
    expect(submitted!.status).toBe('PROCESSING')
    expect(submitted!.m_refund_id).toMatch(/^\d{6}_2553_[0-9A-Z]{26}$/)
    const state = await zp('/__control/state')
    expect(state.refunds.find((r: { mRefundId: string }) => r.mRefundId === submitted!.m_refund_id)).toMatchObject({
      amount: 2_000_000,
      status: 'processing',
    })
    await zp(`/__control/refunds/${submitted!.m_refund_id}/settle`, { body: { outcome: 'success' } })
    await pumpJobs()
    const [done] = await db.execute<{ status: string }>(sql`select status from zalopay_refunds where id = ${cancelled.body.refund.id}`)
    expect(done!.status).toBe('SUCCEEDED')
    // The nights can be sold again.
    expect(
      (
        await book(await token(`next-${uniq()}`), {
          propertyId: won.property.id,
          checkIn: won.nights[0],
          checkOut: won.nights[1],
          guestCount: 1,
        })
      ).status,
    ).toBe(201)
  })

  it('a paid booking whose night was taken meanwhile: none of its nights kept, cancelled and refunded once', async () => {
    const userId = `guest-${uniq()}`
    const t = await token(userId)
    const won = await wonAuction(userId, { nights: 3, amount: 2_100_000 })
    const p = (await createPayment(t, { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })).body
    await postCallback(await payOnSandbox(p.appTransId))
    const created = await runJob('bookings.create-booking', { sessionId: p.sessionId })
    expect(created.body.bookingStatus).toBe('PENDING')
    const bookingId = created.body.bookingId as string
    // Another booking holds the middle night (as a bug or an operator could have made it).
    const db = sharedDb()
    const squatter = `bkg_${uniq()}`
    await db.execute(sql`insert into bookings (id, reference_number, property_id, property_name, user_id, host_id, nights, check_in, check_out, guest_count, total_amount, currency, status, created_at, updated_at)
      values (${squatter}, ${`REF-${uniq()}`}, ${won.property.id}, 'x', 'squatter', 'host', ${`{${won.nights[1]}}`}::date[], ${won.nights[1]}::date, ${won.nights[2]}::date, 1, 0, 'VND', 'CONFIRMED', now(), now())`)
    await db.execute(
      sql`insert into property_nights (property_id, night, booking_id, created_at) values (${won.property.id}, ${won.nights[1]}::date, ${squatter}, now())`,
    )

    const runs = await Promise.all([0, 1].map(() => runJob('bookings.block-nights', { bookingId })))
    expect(runs.map((r) => r.status)).toEqual([200, 200])
    // Two deliveries at once: each refuses (the second may already find it cancelled); one cancel.
    const skipped = runs.map((r) => r.body.skipped as string)
    expect(skipped).toContain('NIGHTS_UNAVAILABLE')
    for (const code of skipped) expect(['NIGHTS_UNAVAILABLE', 'BOOKING_NOT_CONFIRMED'], JSON.stringify(runs)).toContain(code)
    const [b] = await db.execute<{ status: string; cancel_reason: string }>(
      sql`select status, cancel_reason from bookings where id = ${bookingId}`,
    )
    expect(b).toMatchObject({ status: 'CANCELLED', cancel_reason: 'NIGHTS_TAKEN' })
    expect(await db.execute(sql`select night from property_nights where booking_id = ${bookingId}`)).toHaveLength(0)
    const refunds = await db.execute<{ reason: string; amount: number; booking_id: string }>(
      sql`select reason, amount, booking_id from zalopay_refunds where payment_session_id = ${p.sessionId}`,
    )
    expect(refunds).toEqual([{ reason: 'NIGHTS_TAKEN', amount: 2_100_000, booking_id: bookingId }])
    const audits = await db.execute<{ action: string }>(sql`select action from audit_log where entity_id = ${bookingId} order by id`)
    expect(audits.map((a) => a.action)).toEqual(['booking.created', 'booking.cancelled'])
  })

  it('the fulfilment sweep re-queues steps a lost job left undone', async () => {
    const userId = `guest-${uniq()}`
    const t = await token(userId)
    const won = await wonAuction(userId)
    const p = (await createPayment(t, { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })).body
    await postCallback(await payOnSandbox(p.appTransId))
    // The create-booking job is lost: the booking appears only when the sweep re-queues it.
    const db = sharedDb()
    await db.execute(sql`update payment_sessions set paid_at = paid_at - interval '2 minutes' where id = ${p.sessionId}`)
    const reconcile = await runJob('bookings.reconcile-payments')
    expect(reconcile.body.bookingsRequeued).toBeGreaterThanOrEqual(1)
    await pumpJobs()
    const booking = await call('GET', `/api/v1/payment/${p.sessionId}/booking`, { token: t })
    expect(booking.body.status).toBe('CONFIRMED')
    // Its confirmation push is lost too: the sweep notices and queues it again.
    await db.execute(
      sql`update bookings set confirmed_pushed_at = null, created_at = created_at - interval '2 minutes' where id = ${booking.body.id}`,
    )
    const sweep = await runJob('bookings.resume-fulfilment')
    expect(sweep.body.requeued).toBeGreaterThanOrEqual(1)
    const ran = await pumpJobs()
    expect(ran).toContain('bookings.notify-confirmed')
    const [row] = await db.execute<{ pushed: boolean }>(
      sql`select confirmed_pushed_at is not null as pushed from bookings where id = ${booking.body.id}`,
    )
    expect(row!.pushed).toBe(true)
  })
})
