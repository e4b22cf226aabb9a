import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createPayment, payOnSandbox, postCallback, wonAuction } from '../bookings/support.ts'
import { stockRow } from '../commerce/fixtures.ts'
import { runJob } from '../commerce/jobs.ts'
import { sharedSql } from '../db.ts'
import { call, token, uniq } from '../helpers.ts'
import { deliver, pendingPayment, recordedWebhook, sandbox } from '../payments/paystack-helpers.ts'
import { dropConnectionWhileBlocked } from './kill-backend.ts'

/**
 * A Postgres connection dropped in the middle of a money transaction (kill-backend.ts): the test
 * holds a row the transaction writes late, so the transaction waits on it with its earlier writes
 * done; its backend is terminated. Nothing of the half-done transaction may survive, and the
 * gateway's redelivery must then complete it exactly once.
 */
describe('Postgres connection dropped mid-fulfilment', () => {
  it('Paystack charge.success: no half state, and the redelivered webhook completes it exactly once', async () => {
    const p = await pendingPayment({ stock: 5, quantity: 2 })
    await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })
    const webhook = await recordedWebhook(p.reference, 'charge.success')
    const probe = sharedSql()

    // The settlement (one call of payments_settle_charge) has already marked the payment paid
    // when it reaches the order row.
    const { answer, blockedOn } = await dropConnectionWhileBlocked(
      (tx) => tx`select id from orders where id = ${p.orderId} for update`,
      () => deliver(webhook),
    )
    expect(blockedOn).toMatch(/payments_settle_charge/)
    expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(500)

    // No half state.
    const [payment] = await probe<
      { status: string; paid_at: Date | null }[]
    >`select status, paid_at from payments where reference = ${p.reference}`
    expect(payment).toMatchObject({ status: 'initialized', paid_at: null })
    const [order] = await probe<{ status: string }[]>`select status from orders where id = ${p.orderId}`
    expect(order!.status).toBe('awaiting_payment')
    expect(await stockRow(p.variantId)).toMatchObject({ stock: 5, reserved: 2 })
    const outbox =
      await probe`select id from outbox where deduplication_id like ${`%${p.orderId}%`} or deduplication_id like ${`%${p.paymentId}%`}`
    expect(outbox).toHaveLength(0)
    const audits =
      await probe`select action from audit_log where entity_id in (${p.paymentId}, ${p.orderId}) and action in ('payment.paid', 'order.paid', 'inventory.committed')`
    expect(audits).toHaveLength(0)
    const events = await probe<{ status: string }[]>`select status from webhook_events where event_key = ${`charge.success:${p.reference}`}`
    for (const e of events) expect(e.status).not.toBe('processed')

    // Paystack redelivers (twice, at once): fulfilled once.
    const retries = await Promise.all([deliver(webhook), deliver(webhook)])
    expect(retries.map((r) => r.status)).toEqual([200, 200])
    const outcomes = retries.map((r) => (r.body.status === 'duplicate' ? 'duplicate' : r.body.outcome)).sort()
    expect(outcomes).toEqual(['duplicate', 'fulfilled'])
    const [paid] = await probe<{ status: string }[]>`select status from payments where reference = ${p.reference}`
    expect(paid!.status).toBe('paid')
    expect(await stockRow(p.variantId)).toMatchObject({ stock: 3, reserved: 0 })
    expect(
      await probe`select id from outbox where deduplication_id like ${`%${p.paymentId}%`} or deduplication_id like ${`%${p.orderId}%`}`,
    ).toHaveLength(3)
    const done = await probe<{ status: string }[]>`select status from webhook_events where event_key = ${`charge.success:${p.reference}`}`
    expect(done.map((e) => e.status)).toEqual(['processed'])
    expect((await call('GET', `/api/v1/orders/${p.orderId}`, { token: p.user })).body.order.status).toBe('paid')
  })

  it('ZaloPay callback (session paid, award paid): no half state, and the redelivered callback applies it exactly once', async () => {
    const userId = `pgdrop-${uniq()}`
    const t = await token(userId)
    const won = await wonAuction(userId)
    const created = await createPayment(t, { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })
    expect(created.status, JSON.stringify(created.body)).toBe(200)
    const sessionId = created.body.sessionId as string
    const probe = sharedSql()
    const sessionRow = async () =>
      (
        await probe<
          { status: string; transaction_id: string | null; paid_at: Date | null }[]
        >`select status, transaction_id, paid_at from payment_sessions where id = ${sessionId}`
      )[0]!
    const before = await sessionRow()
    const body = await payOnSandbox(created.body.appTransId)

    // settle-payment's one transaction (DrizzlePaymentSessionRepository.transition): the session
    // row is updated first, then the award it pays, then the audit row. Holding the award row
    // stops it with the session already PAID inside the transaction.
    const { answer, blockedOn } = await dropConnectionWhileBlocked(
      (tx) => tx`select id from auction_awards where id = ${won.award.id} for update`,
      () => postCallback(body),
    )
    expect(blockedOn).toMatch(/"auction_awards"/)
    // Anything but HTTP 200 with return_code 1 makes ZaloPay send the callback again.
    expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(500)

    // No half state in any table the transaction writes (payment_sessions, auction_awards,
    // audit_log, zalopay_refunds), nor what follows its commit (the create-booking job, a booking).
    expect(await sessionRow()).toEqual(before)
    expect(before.status).not.toBe('PAID')
    const [award] = await probe<{ status: string }[]>`select status from auction_awards where id = ${won.award.id}`
    expect(award!.status).toBe('AWARDED')
    expect(await probe`select id from audit_log where entity_id = ${sessionId} and action = 'payment_session.paid'`).toHaveLength(0)
    expect(await probe`select id from zalopay_refunds where payment_session_id = ${sessionId}`).toHaveLength(0)
    expect(await probe`select id from bookings where payment_session_id = ${sessionId}`).toHaveLength(0)
    expect(await createBookingJobs(sessionId)).toEqual([])
    // The callback itself was stored before the transaction (its idempotency record, not money).
    expect(await probe`select app_trans_id from zalopay_callbacks where app_trans_id = ${created.body.appTransId}`).toHaveLength(1)

    // ZaloPay sends it again (twice, at once): applied once.
    const retries = await Promise.all([postCallback(body), postCallback(body)])
    expect(retries.map((r) => [r.status, r.body.return_code])).toEqual([
      [200, 1],
      [200, 1],
    ])
    expect(await sessionRow()).toMatchObject({ status: 'PAID', transaction_id: expect.any(String), paid_at: expect.any(Date) })
    const [paidAward] = await probe<{ status: string }[]>`select status from auction_awards where id = ${won.award.id}`
    expect(paidAward!.status).toBe('PAID')
    expect(await probe`select id from audit_log where entity_id = ${sessionId} and action = 'payment_session.paid'`).toHaveLength(1)
    expect(await probe`select id from zalopay_refunds where payment_session_id = ${sessionId}`).toHaveLength(0)
    const jobs = await createBookingJobs(sessionId)
    expect(jobs).toHaveLength(1)
    // The job (delivered twice, as QStash may) makes one booking.
    for (let i = 0; i < 2; i++) expect((await runJob('bookings.create-booking', JSON.parse(jobs[0]!))).status).toBe(200)
    expect(await probe`select id from bookings where payment_session_id = ${sessionId}`).toHaveLength(1)
    expect((await postCallback(body)).body).toEqual({ return_code: 1, return_message: 'duplicate' })
  })
})

/** Bodies of the create-booking jobs published to the QStash dev server for a session. */
async function createBookingJobs(sessionId: string): Promise<string[]> {
  const e = env as unknown as Record<string, string>
  const auth = { authorization: `Bearer ${e['QSTASH_TOKEN']}` }
  const { events } = (await (await fetch(`${e['QSTASH_URL']}/v2/events`, { headers: auth })).json()) as {
    events: Array<{ messageId: string; state: string; url: string }>
  }
  const ids = [
    ...new Set(events.filter((ev) => ev.state === 'CREATED' && ev.url.endsWith('/jobs/bookings.create-booking')).map((ev) => ev.messageId)),
  ]
  const bodies = await Promise.all(
    ids.map(
      async (id) => ((await (await fetch(`${e['QSTASH_URL']}/v2/messages/${id}`, { headers: auth })).json()) as { body: string }).body,
    ),
  )
  return bodies.filter((b) => b.includes(sessionId))
}
