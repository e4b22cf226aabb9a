import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { BOOKING_JOBS } from '../../../src/bookings/deps.ts'
import { LOYALTY_JOBS } from '../../../src/loyalty/deps.ts'
import { PAYMENT_JOBS } from '../../../src/payments/deps.ts'
import { createPayment, payOnSandbox, postCallback, wonAuction, zp } from '../bookings/support.ts'
import { ageOrder, newProduct, stockRow } from '../commerce/fixtures.ts'
import { runJob } from '../commerce/jobs.ts'
import { sharedDb } from '../db.ts'
import { adminToken, call, token, uniq } from '../helpers.ts'
import {
  cashback,
  checkCashbacks,
  exchanged,
  expectLedgerConsistent,
  give,
  grant,
  ledger,
  linkedUser,
  paypay,
  paypayCalls,
  reverse,
  settle,
} from '../loyalty/support.ts'
import { payAndDeliver, pendingPayment, rows, sandbox } from '../payments/paystack-helpers.ts'
import { countFigure } from '../../support/figures.ts'

/**
 * QStash delivers at least once: every registered job, given the state it acts on, is delivered
 * the same message 3 times at once and must have had its effect once.
 */
type Run = { status: number; body: any }
interface Case {
  job: string
  /** Builds the state the job acts on; returns the payload and the check of its single effect. */
  arrange(): Promise<{ payload: unknown; check(runs: Run[]): Promise<void> }>
}

const thrice = (job: string, payload: unknown) => {
  countFigure('job deliveries (3 at once per job)', 3)
  return Promise.all([1, 2, 3].map(() => runJob(job, payload)))
}
const count = async (q: ReturnType<typeof sql>) => (await rows<{ n: number }>(q))[0]!.n

/** A ZaloPay session paid (callback applied) for a new winner; its jobs are left for the test. */
async function paidSession(amount = 2_000_000 + Math.floor(Math.random() * 900) * 1000) {
  const userId = `jr-${uniq()}`
  const t = await token(userId)
  const won = await wonAuction(userId, { amount })
  const p = (await createPayment(t, { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })).body
  expect((await postCallback(await payOnSandbox(p.appTransId))).body.return_code).toBe(1)
  return { userId, t, won, p }
}

async function booked(opts: { blocked?: boolean } = {}) {
  const s = await paidSession()
  const created = await runJob(BOOKING_JOBS.createBooking, { sessionId: s.p.sessionId })
  const bookingId = created.body.bookingId as string
  expect(bookingId, JSON.stringify(created.body)).toBeTruthy()
  if (opts.blocked !== false) expect((await runJob(BOOKING_JOBS.blockNights, { bookingId })).status).toBe(200)
  return { ...s, bookingId }
}

/** A linked user granted 1000 points who exchanged `points` of them; the Give is left for the test. */
async function exchangedCashback(points: number) {
  const u = await linkedUser('jr')
  await grant(u.id, 1000)
  return { u, id: await exchanged(u, points) }
}

async function grantedCashback(points: number) {
  const { u, id } = await exchangedCashback(points)
  await give(id)
  await settle(id, 'SUCCESS')
  await checkCashbacks()
  expect((await cashback(id)).cashback.status).toBe('succeeded')
  return { u, id }
}

const startReversal = async (id: string, amount: number) => {
  const r = await call('POST', `/api/admin/loyalty/cashbacks/${id}/reversals`, {
    token: await adminToken(),
    body: { amount, reason: 'redelivery test' },
  })
  expect(r.status, JSON.stringify(r.body)).toBe(202)
  return r.body.reversal.merchant_cashback_reversal_id as string
}

const allOk = (runs: Run[]) =>
  expect(
    runs.map((r) => r.status),
    JSON.stringify(runs.map((r) => r.body)),
  ).toEqual([200, 200, 200])

type Booked = Awaited<ReturnType<typeof booked>>

/** A job whose payload is one booking's id: every delivery answers 200, then `expectEffect` sees the single effect. */
const onBooking = (job: string, expectEffect: (b: Booked, runs: Run[]) => Promise<void>, opts: { blocked?: boolean } = {}): Case => ({
  job,
  async arrange() {
    const b = await booked(opts)
    return {
      payload: { bookingId: b.bookingId },
      async check(runs) {
        allOk(runs)
        await expectEffect(b, runs)
      },
    }
  },
})

const cases: Case[] = [
  {
    job: 'platform.heartbeat',
    async arrange() {
      return {
        payload: {},
        async check(runs) {
          allOk(runs)
          expect((await call('GET', '/health')).body.scheduler.last_heartbeat).not.toBeNull()
        },
      }
    },
  },
  {
    job: 'inventory.expire-reservations',
    async arrange() {
      const { variants } = await newProduct([{ stock: 4 }])
      const t = await token(`jr-${uniq()}`)
      const o = await call('POST', '/api/v1/orders', { token: t, body: { items: [{ variant_id: variants[0]!.id, quantity: 3 }] } })
      await ageOrder(o.body.order_id, 15 * 60 + 1)
      return {
        payload: {},
        async check(runs) {
          allOk(runs)
          expect(await stockRow(variants[0]!.id)).toMatchObject({ stock: 4, reserved: 0, active: 0 })
          expect(
            await count(sql`select count(*)::int as n from audit_log where entity_id = ${o.body.order_id} and action = 'order.expired'`),
          ).toBe(1)
        },
      }
    },
  },
  {
    job: PAYMENT_JOBS.invoice,
    async arrange() {
      const p = await pendingPayment({ price: 1234, quantity: 3 })
      await payAndDeliver(p)
      return {
        payload: { order_id: p.orderId, payment_id: p.paymentId },
        async check(runs) {
          allOk(runs)
          const invoice = await call('GET', `/api/v1/orders/${p.orderId}/invoice`, { token: p.user })
          expect(invoice.status).toBe(200)
          expect(String(invoice.body).split(p.reference).length - 1).toBeGreaterThanOrEqual(1)
        },
      }
    },
  },
  {
    job: PAYMENT_JOBS.email,
    async arrange() {
      const p = await pendingPayment()
      await payAndDeliver(p)
      return {
        payload: { kind: 'payment_receipt', payment_id: p.paymentId },
        async check(runs) {
          allOk(runs)
          expect(runs.map((r) => r.body.result).sort()).toEqual(['duplicate', 'duplicate', 'sent'])
          expect(
            await count(sql`select count(*)::int as n from emails where deduplication_key like ${`%payment_receipt%${p.paymentId}%`}`),
          ).toBe(1)
        },
      }
    },
  },
  {
    job: PAYMENT_JOBS.autoRefund,
    async arrange() {
      const p = await pendingPayment({ stock: 2, quantity: 2 })
      await ageOrder(p.orderId, 16 * 60)
      expect(
        (
          await call('POST', '/api/v1/orders', {
            token: await token(`jr-${uniq()}`),
            body: { items: [{ variant_id: p.variantId, quantity: 2 }] },
          })
        ).status,
      ).toBe(201)
      expect((await payAndDeliver(p)).body.outcome).toBe('refund_required')
      const [refund] = await rows<{ id: string }>(sql`select id from refunds where payment_id = ${p.paymentId}`)
      return {
        payload: { refund_id: refund!.id },
        async check(runs) {
          for (const r of runs) expect(r.status).toBeLessThan(500)
          expect((await sandbox('GET', `/refund?transaction=${p.reference}`, undefined, true)).data).toHaveLength(1)
          expect(await count(sql`select count(*)::int as n from refunds where payment_id = ${p.paymentId}`)).toBe(1)
          expect((await rows<{ status: string }>(sql`select status from payments where id = ${p.paymentId}`))[0]!.status).toBe('refunded')
        },
      }
    },
  },
  {
    job: PAYMENT_JOBS.reconcile,
    async arrange() {
      const p = await pendingPayment({ stock: 5, quantity: 2 })
      await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })
      await rows(
        sql`update payments set created_at = created_at - interval '10 minutes', updated_at = updated_at - interval '10 minutes' where reference = ${p.reference}`,
      )
      return {
        payload: {},
        async check(runs) {
          allOk(runs)
          expect((await rows<{ status: string }>(sql`select status from payments where id = ${p.paymentId}`))[0]!.status).toBe('paid')
          expect(await stockRow(p.variantId)).toMatchObject({ stock: 3, reserved: 0 })
          expect(
            await count(sql`select count(*)::int as n from audit_log where entity_id = ${p.paymentId} and action = 'payment.paid'`),
          ).toBe(1)
          expect(
            await count(
              sql`select count(*)::int as n from outbox where deduplication_id like ${`%${p.paymentId}%`} or deduplication_id like ${`%${p.orderId}%`}`,
            ),
          ).toBe(3)
        },
      }
    },
  },
  {
    job: BOOKING_JOBS.createBooking,
    async arrange() {
      const s = await paidSession()
      return {
        payload: { sessionId: s.p.sessionId },
        async check(runs) {
          allOk(runs)
          expect(new Set(runs.map((r) => r.body.bookingId)).size).toBe(1)
          expect(await count(sql`select count(*)::int as n from bookings where payment_session_id = ${s.p.sessionId}`)).toBe(1)
        },
      }
    },
  },
  onBooking(
    BOOKING_JOBS.blockNights,
    async (b) => {
      expect(await count(sql`select count(*)::int as n from property_nights where booking_id = ${b.bookingId}`)).toBe(b.won.nights.length)
    },
    { blocked: false },
  ),
  onBooking(BOOKING_JOBS.openConversation, async (b, runs) => {
    expect(new Set(runs.map((r) => r.body.threadId)).size).toBe(1)
    expect(await count(sql`select count(*)::int as n from booking_conversations where booking_id = ${b.bookingId}`)).toBe(1)
  }),
  onBooking(BOOKING_JOBS.sendConfirmation, async (b) => {
    expect(await count(sql`select count(*)::int as n from booking_email_outbox where booking_id = ${b.bookingId}`)).toBe(1)
  }),
  onBooking(BOOKING_JOBS.notifyConfirmed, async (b, runs) => {
    // One event: every delivery answers the same sequence number (the push is keyed).
    expect(new Set(runs.map((r) => r.body.seq)).size).toBe(1)
    expect(await count(sql`select count(*)::int as n from bookings where id = ${b.bookingId} and confirmed_pushed_at is not null`)).toBe(1)
  }),
  {
    job: BOOKING_JOBS.processRefund,
    async arrange() {
      const b = await booked()
      const cancelled = await call('DELETE', `/api/v1/bookings/${b.bookingId}`, { token: b.t })
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200)
      return {
        payload: { refundId: cancelled.body.refund.id },
        async check(runs) {
          allOk(runs)
          const state = await zp('/__control/state')
          expect(state.refunds.filter((r: { appTransId: string }) => r.appTransId === b.p.appTransId)).toHaveLength(1)
          expect(
            await count(
              sql`select count(*)::int as n from zalopay_refunds where payment_session_id = ${b.p.sessionId} and status = 'PROCESSING'`,
            ),
          ).toBe(1)
        },
      }
    },
  },
  {
    job: BOOKING_JOBS.reconcilePayments,
    async arrange() {
      const userId = `jr-${uniq()}`
      const t = await token(userId)
      const won = await wonAuction(userId)
      const p = (await createPayment(t, { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })).body
      await payOnSandbox(p.appTransId) // the callback is lost
      await sharedDb().execute(sql`update payment_sessions set created_at = created_at - interval '2 minutes' where id = ${p.sessionId}`)
      return {
        payload: {},
        async check(runs) {
          allOk(runs)
          expect((await call('GET', `/api/v1/payment/sessions/${p.sessionId}`, { token: t })).body.status).toBe('PAID')
          expect(
            await count(sql`select count(*)::int as n from audit_log where entity_id = ${p.sessionId} and action = 'payment_session.paid'`),
          ).toBe(1)
        },
      }
    },
  },
  {
    job: BOOKING_JOBS.lapseAwards,
    async arrange() {
      const won = await wonAuction(`jr-${uniq()}`, {
        runnersUp: [
          { userId: `jr2-${uniq()}`, amount: 2_000_000 },
          { userId: `jr3-${uniq()}`, amount: 1_900_000 },
        ],
      })
      await sharedDb().execute(sql`update auction_awards set payment_deadline = now() - interval '1 second' where id = ${won.award.id}`)
      return {
        payload: {},
        async check(runs) {
          allOk(runs)
          expect(
            await count(
              sql`select count(*)::int as n from auction_awards where root_award_id = ${won.award.id} and kind = 'SECOND_CHANCE'`,
            ),
          ).toBe(1)
        },
      }
    },
  },
  {
    job: BOOKING_JOBS.resumeFulfilment,
    async arrange() {
      const b = await booked()
      await sharedDb().execute(sql`update bookings set created_at = created_at - interval '2 minutes' where id = ${b.bookingId}`)
      return {
        payload: {},
        async check(runs) {
          allOk(runs)
          // It re-queues (deduplicated) and sends the pending confirmation email once.
          expect(
            await count(sql`select count(*)::int as n from booking_email_outbox where booking_id = ${b.bookingId}`),
          ).toBeLessThanOrEqual(1)
          expect(await count(sql`select count(*)::int as n from property_nights where booking_id = ${b.bookingId}`)).toBe(
            b.won.nights.length,
          )
        },
      }
    },
  },
  {
    job: BOOKING_JOBS.dispatchEmails,
    async arrange() {
      const b = await booked()
      expect((await runJob(BOOKING_JOBS.sendConfirmation, { bookingId: b.bookingId })).status).toBe(200)
      await sharedDb().execute(sql`update booking_email_outbox set status = 'PENDING', sent_at = null where booking_id = ${b.bookingId}`)
      const pending = await count(
        sql`select count(*)::int as n from booking_email_outbox where status = 'PENDING' and attempts < 20 and (sent_at is null or sent_at < now() - interval '5 minutes')`,
      )
      return {
        payload: {},
        async check(runs) {
          allOk(runs)
          // Each pending email was handed to the mailer once across the three deliveries.
          expect(runs.reduce((s, r) => s + r.body.sent, 0)).toBe(pending)
          expect(
            await count(sql`select count(*)::int as n from booking_email_outbox where booking_id = ${b.bookingId} and status = 'SENT'`),
          ).toBe(1)
        },
      }
    },
  },
  {
    job: LOYALTY_JOBS.giveCashback,
    async arrange() {
      const { u, id } = await exchangedCashback(300)
      return {
        payload: { merchant_cashback_id: id },
        async check(runs) {
          allOk(runs)
          expect(await paypayCalls(id, 'give_cashback')).toHaveLength(1)
          expect(await expectLedgerConsistent(u.id)).toBe(700)
        },
      }
    },
  },
  {
    job: LOYALTY_JOBS.redriveGrants,
    async arrange() {
      const { u, id } = await exchangedCashback(250)
      // The re-drive acts on every pending grant after a cursor: start just below this file's grant
      // and take one, so other files' grants in this parallel tier are left alone.
      return {
        payload: { after: id.slice(0, -1), limit: 1, older_than_seconds: 0 },
        async check(runs) {
          allOk(runs)
          expect(await paypayCalls(id, 'give_cashback')).toHaveLength(1)
          expect(await expectLedgerConsistent(u.id)).toBe(750)
        },
      }
    },
  },
  {
    job: LOYALTY_JOBS.reverseCashback,
    async arrange() {
      const { u, id } = await grantedCashback(300)
      const rid = await startReversal(id, 100)
      return {
        payload: { merchant_cashback_reversal_id: rid },
        async check(runs) {
          allOk(runs)
          expect(runs.filter((r) => r.body.outcome === 'done')).toHaveLength(1)
          const state = (await paypay('GET', '/__control/state')).body
          expect(JSON.stringify(state).split(rid).length - 1).toBeGreaterThanOrEqual(1)
          expect(await expectLedgerConsistent(u.id)).toBe(700)
        },
      }
    },
  },
  {
    job: LOYALTY_JOBS.checkCashbacks,
    async arrange() {
      const { u, id } = await exchangedCashback(400)
      await give(id)
      await settle(id, 'FAILURE')
      return {
        payload: { check_after_seconds: 0 },
        async check(runs) {
          allOk(runs)
          expect((await cashback(id)).cashback.status).toBe('failed')
          // The grant and one credit-back.
          expect((await ledger(u.id)).entries.filter((e) => e.points > 0).map((e) => e.points)).toEqual([1000, 400])
          expect(await expectLedgerConsistent(u.id)).toBe(1000)
        },
      }
    },
  },
  {
    job: LOYALTY_JOBS.checkReversals,
    async arrange() {
      const { u, id } = await grantedCashback(300)
      const rid = await startReversal(id, 100)
      expect((await reverse(rid)).body).toMatchObject({ outcome: 'done' })
      expect((await paypay('POST', `/__control/reversals/${rid}/settle`, { outcome: 'SUCCESS' })).status).toBe(200)
      return {
        payload: { check_after_seconds: 0 },
        async check(runs) {
          allOk(runs)
          expect((await ledger(u.id)).entries.filter((e) => e.kind === 'reversal_credit').map((e) => e.points)).toEqual([100])
          expect(await expectLedgerConsistent(u.id)).toBe(800)
        },
      }
    },
  },
  {
    job: LOYALTY_JOBS.exportHistory,
    async arrange() {
      const day = `20${10 + Math.floor(Math.random() * 80)}-0${1 + Math.floor(Math.random() * 9)}-2${Math.floor(Math.random() * 8)}`
      return {
        payload: { business_date: day },
        async check(runs) {
          allOk(runs)
          expect(await count(sql`select count(*)::int as n from paypay_history_files where business_date = ${day}`)).toBe(1)
        },
      }
    },
  },
]

describe('QStash redelivery: each job delivered 3 times at once has its effect once', () => {
  it('the table covers every registered job', () => {
    const registered = [
      'platform.heartbeat',
      'inventory.expire-reservations',
      ...Object.values(PAYMENT_JOBS),
      ...Object.values(BOOKING_JOBS),
      ...Object.values(LOYALTY_JOBS),
    ]
    expect(cases.map((c) => c.job).sort()).toEqual([...registered].sort())
  })

  it.each(cases.map((c) => [c.job, c] as const))('%s', async (_name, c) => {
    const { payload, check } = await c.arrange()
    await check(await thrice(c.job, payload))
  })
})
