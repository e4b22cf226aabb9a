import { sql } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { runJob } from '../commerce/jobs.ts'
import { newProduct, testDb } from '../commerce/fixtures.ts'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { payAndDeliver, pendingPayment, sandbox } from '../payments/paystack-helpers.ts'
import { createPayment, payOnSandbox, postCallback, wonAuction } from '../bookings/support.ts'
import { exchanged, give, grant, linkedUser, paypay } from '../loyalty/support.ts'

/**
 * The reconciliation report (issue 7): a state we made clean reports nothing about our records;
 * each kind of mismatch, made on purpose (a gateway settled behind our back, a tampered row), is
 * listed with the ids, both sides and an action. Other tests share the database, so every
 * assertion looks only at the records this file created.
 */
const since = new Date(Date.now() - 5_000).toISOString()

async function report(query = `fresh=true&since=${encodeURIComponent(since)}`) {
  const res = await call('GET', `/api/admin/reconciliation?${query}`, { token: await adminToken() })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body as { id: string; source: string; mismatches: Array<Record<string, any>>; unchecked: unknown[]; checked: Record<string, number> }
}

/** The mismatches mentioning any of these ids. */
const about = (r: { mismatches: Array<Record<string, any>> }, ...ids: string[]) =>
  r.mismatches.filter((m) => Object.values(m).some((v) => ids.includes(v as string) || (Array.isArray(v) && v.some((x) => ids.includes(x?.payment_id)))))

const exec = async (q: ReturnType<typeof sql>) => {
  const { db } = testDb(1)
  return [...((await db.execute(q)) as unknown as Array<Record<string, any>>)]
}

describe('GET /api/admin/reconciliation', () => {
  it('is for admins only: 401 without a token, 403 for a user; 400 for a malformed since', async () => {
    expect((await call('GET', '/api/admin/reconciliation')).status).toBe(401)
    const user = await call('GET', '/api/admin/reconciliation', { token: await token(`u-${uniq()}`) })
    expect(user.status).toBe(403)
    const bad = await call('GET', '/api/admin/reconciliation?since=yesterday', { token: await adminToken() })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('VALIDATION_FAILED')
  })

  describe('a clean state', () => {
    let ids: string[] = []
    beforeAll(async () => {
      // Paystack: paid and delivered; ZaloPay: paid and called back; points granted and exchanged.
      const p = await pendingPayment()
      expect((await payAndDeliver(p)).status).toBe(200)
      const open = await pendingPayment()
      const guest = `guest-${uniq()}`
      const won = await wonAuction(guest)
      const created = await createPayment(await token(guest), { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })
      expect(created.status, JSON.stringify(created.body)).toBe(200)
      expect((await postCallback(await payOnSandbox(created.body.appTransId))).body.return_code).toBe(1)
      const u = await linkedUser('rec')
      await grant(u.id, 500)
      ids = [p.paymentId, p.orderId, p.variantId, p.reference, open.paymentId, open.orderId, open.variantId, created.body.sessionId, created.body.appTransId, u.id]
    })

    it('reports no mismatch about the records it created, and says what it compared', async () => {
      const r = await report()
      expect(about(r, ...ids)).toEqual([])
      expect(r.source).toBe('fresh')
      expect(r.checked['paystack_payments']).toBeGreaterThanOrEqual(2)
      expect(r.checked['zalopay_sessions']).toBeGreaterThanOrEqual(1)
      expect(r.checked['points_accounts']).toBeGreaterThanOrEqual(1)
    })
  })

  describe('each kind of mismatch, made on purpose', () => {
    it('Paystack settled without the webhook: gateway success, ours initialized', async () => {
      const p = await pendingPayment()
      // Settle at the gateway; the signed event is recorded but never delivered to the Worker.
      expect((await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })).transaction.status).toBe('success')
      const found = about(await report(), p.paymentId)
      expect(found).toEqual([
        expect.objectContaining({ kind: 'paystack_payment_status', payment_id: p.paymentId, order_id: p.orderId, reference: p.reference, ours: 'initialized', gateway: 'success', ours_amount: p.total, gateway_amount: p.total, action: expect.stringContaining('verify') }),
      ])
      // Acting on it (the verify endpoint) clears it.
      expect((await call('POST', `/api/v1/payments/${p.reference}/verify`, { token: p.user })).status).toBe(200)
      expect(about(await report(), p.paymentId)).toEqual([])
    })

    it('Paystack refund moved on at the gateway (lost refund webhook): ours pending, gateway processed', async () => {
      const p = await pendingPayment()
      await payAndDeliver(p)
      const refund = await call('POST', '/api/admin/refunds', {
        token: await adminToken(),
        headers: { 'idempotency-key': `rec-${uniq()}` },
        body: { payment_id: p.paymentId, amount: 1000, reason: 'reconciliation test' },
      })
      expect(refund.status, JSON.stringify(refund.body)).toBe(201)
      const gatewayRefundId = refund.body.refund.gateway_refund_id as string
      await sandbox('POST', `/__control/refunds/${gatewayRefundId}/settle`, { outcome: 'processed' })
      expect(about(await report(), p.paymentId)).toEqual([
        expect.objectContaining({ kind: 'paystack_refund_status', refund_id: refund.body.refund.refund_id, payment_id: p.paymentId, gateway_refund_id: gatewayRefundId, ours: 'pending', gateway: 'processed' }),
      ])
    })

    it('tampered orders: a paid order without a paid payment, and a paid payment whose order is not paid', async () => {
      const unpaid = await pendingPayment()
      const paid = await pendingPayment()
      await payAndDeliver(paid)
      await exec(sql`update orders set status = 'paid' where id = ${unpaid.orderId}`)
      await exec(sql`update orders set status = 'cancelled' where id = ${paid.orderId}`)
      const r = await report()
      expect(about(r, unpaid.orderId)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'order_paid_without_payment', order_id: unpaid.orderId, order_status: 'paid', payments: [{ payment_id: unpaid.paymentId, status: 'initialized' }] }),
        ]),
      )
      expect(about(r, paid.orderId)).toEqual([
        expect.objectContaining({ kind: 'payment_paid_order_not_paid', payment_id: paid.paymentId, order_id: paid.orderId, payment_status: 'paid', order_status: 'cancelled' }),
      ])
    })

    it('tampered stock: the reserved column no longer equals the active reservations', async () => {
      const { variants } = await newProduct([{ stock: 10 }])
      const order = await call('POST', '/api/v1/orders', { token: await token(`rec-${uniq()}`), body: { items: [{ variant_id: variants[0]!.id, quantity: 2 }] } })
      expect(order.status).toBe(201)
      expect(about(await report(), variants[0]!.id)).toEqual([])
      await exec(sql`update product_variants set reserved = reserved + 3 where id = ${variants[0]!.id}`)
      try {
        expect(about(await report(), variants[0]!.id)).toEqual([
          expect.objectContaining({ kind: 'variant_reserved_mismatch', variant_id: variants[0]!.id, sku: variants[0]!.sku, reserved: 5, active_reservations: 2 }),
        ])
      } finally {
        await exec(sql`update product_variants set reserved = reserved - 3 where id = ${variants[0]!.id}`)
      }
    })

    it('tampered points: the balance is not the sum of the ledger', async () => {
      const userId = `rec-points-${uniq()}`
      await grant(userId, 300)
      await exec(sql`update points_accounts set balance = balance + 7 where user_id = ${userId}`)
      try {
        expect(about(await report(), userId)).toEqual([expect.objectContaining({ kind: 'points_balance_mismatch', user_id: userId, balance: 307, ledger_sum: 300 })])
      } finally {
        // Other suites check the ledger invariant over every user in this database.
        await exec(sql`update points_accounts set balance = balance - 7 where user_id = ${userId}`)
      }
    })

    it('ZaloPay paid without the callback: gateway paid, ours still open', async () => {
      const guest = `guest-${uniq()}`
      const won = await wonAuction(guest)
      const created = await createPayment(await token(guest), { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })
      expect(created.status).toBe(200)
      await payOnSandbox(created.body.appTransId) // the callback is held back, never posted
      const [row] = await exec(sql`select status from payment_sessions where id = ${created.body.sessionId}`)
      expect(about(await report(), created.body.sessionId)).toEqual([
        expect.objectContaining({ kind: 'zalopay_session_status', session_id: created.body.sessionId, app_trans_id: created.body.appTransId, ours: row!['status'], gateway: 'paid', ours_amount: won.amount, gateway_amount: won.amount, gateway_transaction_id: expect.any(String) }),
      ])
    })

    it('PayPay cashback FAILURE settled without the check job: ours accepted, gateway FAILURE', async () => {
      const u = await linkedUser('rec')
      await grant(u.id, 1000)
      const id = await exchanged(u, 400)
      expect((await give(id)).body.cashback_status).toBe('accepted')
      // The sandbox settles SUCCESS on its own after 1.5 s: on a busy machine that may come first
      // (409), and "ours accepted, gateway SUCCESS" is the same kind of mismatch.
      const settled = await paypay('POST', `/__control/cashbacks/${id}/settle`, { outcome: 'FAILURE' })
      expect([200, 409]).toContain(settled.status)
      const gateway = settled.status === 200 ? 'FAILURE' : 'SUCCESS'
      expect(about(await report(), id)).toEqual([
        expect.objectContaining({ kind: 'paypay_cashback_status', merchant_cashback_id: id, user_id: u.id, ours: 'accepted', gateway, amount: 400, failure_code: gateway === 'FAILURE' ? 'NOT_ENOUGH_MONEY' : null }),
      ])
    })
  })

  it('the scheduled job stores the report; the endpoint returns that one until asked for a fresh one', async () => {
    const job = await runJob('reconciliation.report', { since })
    expect(job.status, JSON.stringify(job.body)).toBe(200)
    expect(job.body.report_id).toMatch(/^rec_[0-9A-Z]{26}$/)
    const stored = await report('')
    expect(stored).toMatchObject({ id: job.body.report_id, source: 'stored' })
    expect(stored.mismatches.length).toBe(job.body.mismatches)
    const fresh = await report('fresh=true')
    expect(fresh.source).toBe('fresh')
    expect(fresh.id).not.toBe(job.body.report_id)
  })
})
