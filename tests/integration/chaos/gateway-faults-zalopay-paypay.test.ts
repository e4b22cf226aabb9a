import { sql } from 'drizzle-orm'
import { afterEach, describe, expect, it } from 'vitest'
import { sharedDb } from '../db.ts'
import { runJob } from '../commerce/jobs.ts'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { createPayment, payOnSandbox, postCallback, pumpJobs, sandboxOrder, wonAuction, zp } from '../bookings/support.ts'
import {
  cashback,
  checkCashbacks,
  checkReversals,
  exchanged,
  expectLedgerConsistent,
  give,
  grant,
  linkedUser,
  paypay,
  paypayCalls,
  reverse,
  settle,
} from '../loyalty/support.ts'
import { countFigure } from '../../support/figures.ts'

/**
 * ZaloPay (create, query, refund, query_refund) and PayPay (reverse_cashback, check_cashback,
 * check_reversal) under the sandboxes' shared fault contract: the call under fault moves no money
 * and no points and ends in a 503 (or a check counted as an error), the retry carries the SAME
 * gateway id (app_trans_id, m_refund_id, merchantCashbackReversalId, merchantCashbackId), and it
 * completes once. ZaloPay create http_500 and PayPay give_cashback are covered in
 * tests/integration/{bookings/payments,loyalty/cashback}.test.ts. The faults are one-shot and
 * consumed by the call under test: every test here leaves its sessions, cashbacks and reversals
 * final, so the reconcile and check jobs of the next test find only that test's record due.
 */
type Kind = 'timeout' | 'http_500' | 'http_429' | 'reset' | 'malformed' | 'slow'
/** The adapters' timeouts: ZaloPay's is fixed in src/bookings/adapters/zalopay-gateway.ts, PayPay's comes from tests/support/test-env.ts. */
const ZALOPAY_TIMEOUT_MS = 10_000
const PAYPAY_TIMEOUT_MS = 5_000
/** A `timeout` fault hangs past our timeout before dropping the socket, so the gateway never acted. */
const delayFor = (kind: Kind, timeoutMs: number) =>
  kind === 'slow' ? { delayMs: 300 } : kind === 'timeout' ? { delayMs: timeoutMs + 2000 } : {}

/**
 * One-shot by default. The reconcile and check jobs ask about every due record, other files'
 * leftovers included, so their rows fault every call of the run (`EVERY_CALL`) and clear the
 * faults before the next run: a one-shot fault could be spent on someone else's record.
 */
const EVERY_CALL = 1000
const zpFault = async (operation: string, kind: Kind, times = 1) => {
  countFigure(`ZaloPay faults injected (${kind})`)
  expect(await zp('/__control/faults', { body: { operation, kind, times, ...delayFor(kind, ZALOPAY_TIMEOUT_MS) } })).toEqual({ ok: true })
}
const ppFault = async (operation: string, kind: Kind, times = 1) => {
  countFigure(`PayPay faults injected (${kind})`)
  expect((await paypay('POST', '/__control/faults', { operation, kind, times, ...delayFor(kind, PAYPAY_TIMEOUT_MS) })).status).toBe(200)
}
const clearFaults = async () => {
  await zp('/__control/faults', { method: 'DELETE' })
  await paypay('DELETE', '/__control/faults')
}

afterEach(clearFaults)

const db = sharedDb()

const count = async (q: ReturnType<typeof sql>) => Number((await db.execute<{ n: number }>(q))[0]!.n)
const sessionRow = async (sessionId: string) =>
  (
    await db.execute<{ status: string; app_trans_id: string }>(
      sql`select status, app_trans_id from payment_sessions where id = ${sessionId}`,
    )
  )[0]!
const ordersOf = async (appUser: string) =>
  ((await zp('/__control/state')).orders as Array<{ appTransId: string; appUser: string }>).filter((o) => o.appUser === appUser)
const refundsAtZaloPay = async (appTransId: string) =>
  ((await zp('/__control/state')).refunds as Array<{ mRefundId: string; appTransId: string; amount: number; status: string }>).filter(
    (r) => r.appTransId === appTransId,
  )

/** A paid session leads to exactly one booking, after the queued jobs ran. */
async function oneBooking(sessionId: string) {
  await pumpJobs()
  expect(await count(sql`select count(*)::int as n from bookings where payment_session_id = ${sessionId}`)).toBe(1)
  expect(
    await count(sql`select count(*)::int as n from audit_log where entity_id = ${sessionId} and action = 'payment_session.paid'`),
  ).toBe(1)
}

async function createdPayment() {
  const userId = `zf-${uniq()}`
  const t = await token(userId)
  const won = await wonAuction(userId)
  const res = await createPayment(t, { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return { userId, t, ...won, payment: res.body as { appTransId: string; sessionId: string; amount: number } }
}

describe('ZaloPay create under faults', () => {
  const createCase = async (kind: Kind) => {
    const userId = `zf-${uniq()}`
    const t = await token(userId)
    const won = await wonAuction(userId)
    const req = { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount }
    await zpFault('create', kind)
    const first = await createPayment(t, req)
    const [row] = await db.execute<{ id: string; status: string; app_trans_id: string }>(
      sql`select id, status, app_trans_id from payment_sessions where auction_id = ${won.auction.id}`,
    )
    if (kind === 'slow') expect(first.status).toBe(200)
    else {
      expect(first.status, JSON.stringify(first.body)).toBe(503)
      expect(first.body.error.code).toBe('DEPENDENCY_UNAVAILABLE')
      // Nothing at ZaloPay, and no payable session: the order was never made.
      expect(row!.status).toBe('CREATED')
      expect(await ordersOf(userId)).toHaveLength(0)
    }
    const retry = await createPayment(t, req)
    expect(retry.status, JSON.stringify(retry.body)).toBe(200)
    expect(retry.body.appTransId).toBe(row!.app_trans_id)
    if (kind === 'slow') expect(retry.body).toEqual(first.body)
    expect((await ordersOf(userId)).map((o) => o.appTransId)).toEqual([row!.app_trans_id])
    expect(await count(sql`select count(*)::int as n from payment_sessions where auction_id = ${won.auction.id}`)).toBe(1)
    // It pays once and books once.
    expect((await postCallback(await payOnSandbox(retry.body.appTransId))).body.return_code).toBe(1)
    expect((await call('GET', `/api/v1/payment/sessions/${retry.body.sessionId}`, { token: t })).body).toMatchObject({
      status: 'PAID',
      amount: won.amount,
    })
    await oneBooking(retry.body.sessionId)
  }

  it.each(['http_429', 'reset', 'malformed', 'slow'] as const)(
    '%s: one session, one app_trans_id, one ZaloPay order, one booking',
    createCase,
  )

  // ZaloPay's timeout is a fixed 10 s (no binding shortens it), so the timeout kind runs once, on create.
  it('timeout: 503 after the adapter gives up; the retry sends the same app_trans_id', async () => {
    const started = Date.now()
    await createCase('timeout')
    expect(Date.now() - started).toBeGreaterThanOrEqual(ZALOPAY_TIMEOUT_MS - 50)
  }, 30_000)
})

describe('ZaloPay query under faults (bookings.reconcile-payments)', () => {
  it.each(['http_500', 'reset', 'malformed'] as const)(
    '%s: the session stays open and unbooked; the next run settles it once',
    async (kind) => {
      const { payment, t } = await createdPayment()
      // Paid at ZaloPay, callback lost: only the reconcile job's query can find it.
      const late = await payOnSandbox(payment.appTransId)
      await zpFault('query', kind, EVERY_CALL)
      const run = await runJob('bookings.reconcile-payments', { reconcile_after_seconds: 0 })
      await clearFaults()
      expect(run.status, JSON.stringify(run.body)).toBe(200)
      expect(run.body.errors).toBeGreaterThanOrEqual(1)
      expect(await sessionRow(payment.sessionId)).toEqual({ status: 'PENDING', app_trans_id: payment.appTransId })
      expect(
        await count(
          sql`select count(*)::int as n from audit_log where entity_id = ${payment.sessionId} and action = 'payment_session.paid'`,
        ),
      ).toBe(0)
      expect(await count(sql`select count(*)::int as n from bookings where payment_session_id = ${payment.sessionId}`)).toBe(0)

      const again = await runJob('bookings.reconcile-payments', { reconcile_after_seconds: 0 })
      expect(again.body.paid).toBeGreaterThanOrEqual(1)
      expect(await sessionRow(payment.sessionId)).toEqual({ status: 'PAID', app_trans_id: payment.appTransId })
      const [audit] = await db.execute<{ data: { source: string } }>(
        sql`select data from audit_log where entity_id = ${payment.sessionId} and action = 'payment_session.paid'`,
      )
      expect(audit!.data.source).toBe('reconcile')
      // The late callback (acknowledged, it was never seen before) and a third run change nothing more.
      expect((await postCallback(late)).body.return_code).toBe(1)
      expect((await runJob('bookings.reconcile-payments', { reconcile_after_seconds: 0 })).status).toBe(200)
      expect((await call('GET', `/api/v1/payment/sessions/${payment.sessionId}`, { token: t })).body).toMatchObject({
        status: 'PAID',
        amount: payment.amount,
      })
      expect((await sandboxOrder(payment.appTransId))?.status).toBe('paid')
      await oneBooking(payment.sessionId)
    },
  )
})

describe('ZaloPay refund and query_refund under faults (bookings.process-refund)', () => {
  /** A payment ZaloPay reports with another amount: the session fails and a refund of what was paid is owed. */
  async function owedRefund() {
    const { payment, t } = await createdPayment()
    const paid = payment.amount - 1000
    expect((await postCallback(await payOnSandbox(payment.appTransId, { amount: paid }))).body.return_code).toBe(1)
    expect((await call('GET', `/api/v1/payment/sessions/${payment.sessionId}`, { token: t })).body.status).toBe('FAILED')
    const row = async () =>
      (
        await db.execute<{ id: string; status: string; m_refund_id: string | null; amount: number }>(
          sql`select id, status, m_refund_id, amount from zalopay_refunds where payment_session_id = ${payment.sessionId}`,
        )
      )[0]!
    const r = await row()
    expect(r).toMatchObject({ status: 'PENDING', amount: paid })
    return { payment, paid, row, run: () => runJob('bookings.process-refund', { refundId: r.id }) }
  }

  /** One refund at ZaloPay, under our m_refund_id, of what was paid; and it succeeds once settled. */
  async function refundedOnce(o: Awaited<ReturnType<typeof owedRefund>>, mRefundId: string) {
    const atZaloPay = await refundsAtZaloPay(o.payment.appTransId)
    expect(atZaloPay.map((r) => [r.mRefundId, r.amount])).toEqual([[mRefundId, o.paid]])
    expect(await count(sql`select count(*)::int as n from zalopay_refunds where payment_session_id = ${o.payment.sessionId}`)).toBe(1)
    expect(await count(sql`select count(*)::int as n from bookings where payment_session_id = ${o.payment.sessionId}`)).toBe(0)
  }

  it.each(['http_500', 'reset'] as const)('refund %s: 503, nothing refunded; the retry sends the same m_refund_id, once', async (kind) => {
    const o = await owedRefund()
    await zpFault('refund', kind)
    const first = await o.run()
    expect(first.status, JSON.stringify(first.body)).toBe(503)
    const held = await o.row()
    // The id was fixed before the call, so the retry is the same refund whatever ZaloPay did.
    expect(held).toMatchObject({ status: 'PENDING', m_refund_id: expect.stringMatching(/^\d{6}_\d+_/) })
    expect(await refundsAtZaloPay(o.payment.appTransId)).toHaveLength(0)

    const retry = await o.run()
    expect(retry.body, JSON.stringify(retry.body)).toMatchObject({ refundStatus: 'PROCESSING' })
    expect((await o.row()).m_refund_id).toBe(held.m_refund_id)
    await refundedOnce(o, held.m_refund_id!)
    expect((await zp(`/__control/refunds/${held.m_refund_id}/settle`, { body: { outcome: 'success' } })).refund).toBeTruthy()
    expect((await o.run()).body.refundStatus).toBe('SUCCEEDED')
    expect((await o.run()).body.refundStatus).toBe('SUCCEEDED')
    await refundedOnce(o, held.m_refund_id!)
  })

  it.each(['http_500', 'reset'] as const)(
    'query_refund %s: 503, the refund stays processing; the retry polls the same m_refund_id and succeeds once',
    async (kind) => {
      const o = await owedRefund()
      expect((await o.run()).body.refundStatus).toBe('PROCESSING')
      const sent = await o.row()
      expect((await zp(`/__control/refunds/${sent.m_refund_id}/settle`, { body: { outcome: 'success' } })).refund).toBeTruthy()
      await zpFault('query_refund', kind)
      const first = await o.run()
      expect(first.status, JSON.stringify(first.body)).toBe(503)
      expect(await o.row()).toMatchObject({ status: 'PROCESSING', m_refund_id: sent.m_refund_id })

      const retry = await o.run()
      expect(retry.body.refundStatus).toBe('SUCCEEDED')
      expect(await o.row()).toMatchObject({ status: 'SUCCEEDED', m_refund_id: sent.m_refund_id })
      await refundedOnce(o, sent.m_refund_id!)
    },
  )
})

// ---- PayPay ----------------------------------------------------------------------------------

/** A linked user with 1000 points of which `points` were exchanged into a cashback PayPay granted. */
async function grantedCashback(points: number) {
  const u = await linkedUser('pf')
  await grant(u.id, 1000)
  const id = await exchanged(u, points)
  expect((await give(id)).body.cashback_status).toBe('accepted')
  await settle(id, 'SUCCESS')
  expect((await checkCashbacks()).status).toBe(200)
  expect((await cashback(id)).cashback.status).toBe('succeeded')
  expect(await expectLedgerConsistent(u.id)).toBe(1000 - points)
  return { u, id }
}

const startReversal = async (id: string, amount: number) => {
  const r = await call('POST', `/api/admin/loyalty/cashbacks/${id}/reversals`, {
    token: await adminToken(),
    body: { amount, reason: 'fault test' },
  })
  expect(r.status, JSON.stringify(r.body)).toBe(202)
  return r.body.reversal.merchant_cashback_reversal_id as string
}
/** The sandbox settles a reversal SUCCESS on its own 1.5 s after accepting it (409: it already did). */
const settleReversal = async (rid: string) => {
  const res = await paypay('POST', `/__control/reversals/${rid}/settle`, { outcome: 'SUCCESS' })
  if (res.status !== 409) expect(res.status, JSON.stringify(res.body)).toBe(200)
}
const reversalsAtPayPay = async (cashbackId: string) =>
  (
    (await paypay('GET', '/__control/state')).body.reversals as Array<{ merchantCashbackReversalId: string; merchantCashbackId: string }>
  ).filter((r) => r.merchantCashbackId === cashbackId)
/**
 * The sandbox's log of calls for a cashback, once it has marked the first as a fault (a `timeout`
 * call is marked only when the sandbox drops it, after we stopped waiting).
 */
async function faultLogged(cashbackId: string, operation: string) {
  await expect.poll(async () => (await paypayCalls(cashbackId, operation))[0]?.fault, { timeout: 5_000 }).toBe(true)
  return paypayCalls(cashbackId, operation)
}
const credits = async (userId: string, kind: string) =>
  db
    .execute<{ points: number; reference_id: string | null }>(
      sql`select points, reference_id from points_ledger where user_id = ${userId} and kind = ${kind} order by id`,
    )
    .then((r) => [...r])

describe('PayPay reverse_cashback under faults (loyalty.reverse-cashback)', () => {
  it.each(['http_500', 'http_429', 'reset', 'malformed', 'timeout'] as const)(
    '%s: nothing reversed on failure; the same merchantCashbackReversalId reverses once and credits once',
    async (kind) => {
      const { u, id } = await grantedCashback(300)
      const rid = await startReversal(id, 100)
      await ppFault('reverse_cashback', kind)
      const started = Date.now()
      const first = await reverse(rid)
      if (kind === 'http_429') {
        // A 429 is waited out inside the job (Retry-After), then the same request is sent again.
        expect(first.body, JSON.stringify(first.body)).toMatchObject({ outcome: 'done', reversal_status: 'accepted' })
      } else {
        expect(first.status, JSON.stringify(first.body)).toBe(503)
        if (kind === 'timeout') expect(Date.now() - started).toBeGreaterThanOrEqual(PAYPAY_TIMEOUT_MS - 50)
        expect((await cashback(id)).reversals[0]).toMatchObject({ merchant_cashback_reversal_id: rid, status: 'requested' })
        expect(await reversalsAtPayPay(id)).toHaveLength(0)
        expect(await credits(u.id, 'reversal_credit')).toHaveLength(0)
        expect(await expectLedgerConsistent(u.id)).toBe(700)
        const retry = await reverse(rid)
        expect(retry.body, JSON.stringify(retry.body)).toMatchObject({ outcome: 'done', reversal_status: 'accepted' })
      }
      const calls = await faultLogged(id, 'reverse_cashback')
      expect(calls).toHaveLength(2)
      expect(calls.map((c) => c.merchantCashbackReversalId)).toEqual([rid, rid])
      expect(calls[0].fault).toBe(true)
      expect(calls[1]).toMatchObject({ status: 202 })
      expect((await reversalsAtPayPay(id)).map((r) => r.merchantCashbackReversalId)).toEqual([rid])
      // A redelivery of the job calls nobody.
      expect((await reverse(rid)).body).toMatchObject({ outcome: 'skipped', reason: 'not_pending' })
      expect(await paypayCalls(id, 'reverse_cashback')).toHaveLength(2)

      await settleReversal(rid)
      await checkReversals()
      expect((await cashback(id)).reversals[0]).toMatchObject({ status: 'succeeded', reversed_amount: 100 })
      expect((await credits(u.id, 'reversal_credit')).map((e) => e.points)).toEqual([100])
      expect(await expectLedgerConsistent(u.id)).toBe(800)
    },
    30_000,
  )
})

describe('PayPay check_cashback under faults (loyalty.check-cashbacks)', () => {
  it.each(['http_500', 'malformed', 'timeout'] as const)(
    '%s: counted as an error, nothing applied; the next run credits the FAILURE back once',
    async (kind) => {
      const u = await linkedUser('pf')
      await grant(u.id, 1000)
      const id = await exchanged(u, 400)
      expect((await give(id)).body.cashback_status).toBe('accepted')
      await settle(id, 'FAILURE')
      await ppFault('check_cashback', kind, EVERY_CALL)
      const first = await checkCashbacks()
      await clearFaults()
      expect(first.status).toBe(200)
      expect(first.body.report.errors).toBeGreaterThanOrEqual(1)
      expect((await cashback(id)).cashback.status).toBe('accepted')
      expect(await credits(u.id, 'refund_credit')).toHaveLength(0)
      expect(await expectLedgerConsistent(u.id)).toBe(600)

      const again = await checkCashbacks()
      expect(again.body.report.failed).toBeGreaterThanOrEqual(1)
      expect((await cashback(id)).cashback).toMatchObject({ status: 'failed', failure_code: 'NOT_ENOUGH_MONEY' })
      const checks = await faultLogged(id, 'check_cashback')
      expect(checks).toHaveLength(2)
      expect(checks[0].fault).toBe(true)
      expect(checks.map((c) => c.merchantCashbackId)).toEqual([id, id])
      // Never given twice, credited back once, and a third run changes nothing.
      expect(await paypayCalls(id, 'give_cashback')).toHaveLength(1)
      await checkCashbacks()
      expect((await credits(u.id, 'refund_credit')).map((e) => [e.points, e.reference_id])).toEqual([[400, id]])
      expect(await expectLedgerConsistent(u.id)).toBe(1000)
    },
    90_000,
  )
})

describe('PayPay check_reversal under faults (loyalty.check-reversals)', () => {
  it('http_500: counted as an error, nothing credited; the next run credits the reversal once', async () => {
    const { u, id } = await grantedCashback(300)
    const rid = await startReversal(id, 200)
    expect((await reverse(rid)).body).toMatchObject({ outcome: 'done', reversal_status: 'accepted' })
    await settleReversal(rid)
    await ppFault('check_reversal', 'http_500', EVERY_CALL)
    const first = await checkReversals()
    await clearFaults()
    expect(first.status).toBe(200)
    expect(first.body.report.errors).toBeGreaterThanOrEqual(1)
    expect((await cashback(id)).reversals[0]).toMatchObject({ status: 'accepted' })
    expect(await credits(u.id, 'reversal_credit')).toHaveLength(0)
    expect(await expectLedgerConsistent(u.id)).toBe(700)

    expect((await checkReversals()).body.report.succeeded).toBeGreaterThanOrEqual(1)
    const checks = await paypayCalls(id, 'check_reversal')
    expect(checks).toHaveLength(2)
    expect(checks[0].fault).toBe(true)
    expect(checks.map((c) => c.merchantCashbackReversalId)).toEqual([rid, rid])
    expect(await paypayCalls(id, 'reverse_cashback')).toHaveLength(1)
    await checkReversals()
    expect((await cashback(id)).reversals[0]).toMatchObject({ status: 'succeeded', reversed_amount: 200 })
    expect((await credits(u.id, 'reversal_credit')).map((e) => e.points)).toEqual([200])
    expect(await expectLedgerConsistent(u.id)).toBe(900)
  })
})
