import { sql } from 'drizzle-orm'
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { runJob } from '../commerce/jobs.ts'
import { newProduct } from '../commerce/fixtures.ts'
import { sharedDb } from '../db.ts'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { payAndDeliver, pendingPayment, sandbox } from '../payments/paystack-helpers.ts'
import { createPayment, payOnSandbox, postCallback, wonAuction } from '../bookings/support.ts'
import { exchanged, give, grant, linkedUser, paypay } from '../loyalty/support.ts'
import { about, acknowledge, reportWith } from './support.ts'

/**
 * The reconciliation report (issue 7): a state we made clean reports nothing about our records;
 * each kind of mismatch, made on purpose (a gateway settled behind our back, a tampered row), is
 * listed with the ids, both sides and an action. Other tests share the database, so every
 * assertion looks only at the records this file created.
 */
const since = new Date(Date.now() - 5_000).toISOString()

const report = (query = `fresh=true&since=${encodeURIComponent(since)}`) => reportWith(query)

const exec = async (q: ReturnType<typeof sql>) => [...((await sharedDb().execute(q)) as unknown as Array<Record<string, any>>)]

describe('GET /api/admin/reconciliation', () => {
  it('is for admins only: 401 without a token, 403 for a user; 400 for a malformed since or limit', async () => {
    expect((await call('GET', '/api/admin/reconciliation')).status).toBe(401)
    const user = await call('GET', '/api/admin/reconciliation', { token: await token(`u-${uniq()}`) })
    expect(user.status).toBe(403)
    for (const q of ['since=yesterday', 'limit=0', 'limit=1001', 'limit=ten']) {
      const bad = await call('GET', `/api/admin/reconciliation?${q}`, { token: await adminToken() })
      expect(bad.status, q).toBe(400)
      expect(bad.body.error.code).toBe('VALIDATION_FAILED')
    }
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
      ids = [
        p.paymentId,
        p.orderId,
        p.variantId,
        p.reference,
        open.paymentId,
        open.orderId,
        open.variantId,
        created.body.sessionId,
        created.body.appTransId,
        u.id,
      ]
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
      expect((await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })).transaction.status).toBe(
        'success',
      )
      const found = about(await report(), p.paymentId)
      expect(found).toEqual([
        expect.objectContaining({
          kind: 'paystack_payment_status',
          payment_id: p.paymentId,
          order_id: p.orderId,
          reference: p.reference,
          ours: 'initialized',
          gateway: 'success',
          ours_amount: p.total,
          gateway_amount: p.total,
          action: expect.stringContaining('verify'),
        }),
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
        expect.objectContaining({
          kind: 'paystack_refund_status',
          refund_id: refund.body.refund.refund_id,
          payment_id: p.paymentId,
          gateway_refund_id: gatewayRefundId,
          ours: 'pending',
          gateway: 'processed',
        }),
      ])
      // The action it names: payments.reconcile reads Paystack's refund list for pending refunds
      // (here without waiting the scheduled few minutes) and the mismatch is gone.
      const job = await runJob('payments.reconcile', { pending_after_seconds: 0 })
      expect(job.status, JSON.stringify(job.body)).toBe(200)
      expect(job.body.refunds_updated).toBeGreaterThanOrEqual(1)
      const view = await call('GET', `/api/admin/payments/${p.paymentId}`, { token: await adminToken() })
      expect(view.body.refunds.map((r: any) => r.status)).toEqual(['processed'])
      expect(about(await report(), p.paymentId)).toEqual([])
    })

    it('tampered orders: a paid order without a paid payment, and a paid payment whose order is not paid', async () => {
      const unpaid = await pendingPayment()
      const paid = await pendingPayment()
      await payAndDeliver(paid)
      await exec(sql`update orders set status = 'paid' where id = ${unpaid.orderId}`)
      await exec(sql`update orders set status = 'cancelled' where id = ${paid.orderId}`)
      onTestFinished(async () => {
        await exec(sql`update orders set status = 'awaiting_payment' where id = ${unpaid.orderId}`)
        await exec(sql`update orders set status = 'paid' where id = ${paid.orderId}`)
      })
      const r = await report()
      expect(about(r, unpaid.orderId)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'order_paid_without_payment',
            order_id: unpaid.orderId,
            order_status: 'paid',
            payments: [{ payment_id: unpaid.paymentId, status: 'initialized' }],
          }),
        ]),
      )
      expect(about(r, paid.orderId)).toEqual([
        expect.objectContaining({
          kind: 'payment_paid_order_not_paid',
          payment_id: paid.paymentId,
          order_id: paid.orderId,
          payment_status: 'paid',
          order_status: 'cancelled',
        }),
      ])
    })

    it('tampered stock: the reserved column no longer equals the active reservations', async () => {
      const { variants } = await newProduct([{ stock: 10 }])
      const order = await call('POST', '/api/v1/orders', {
        token: await token(`rec-${uniq()}`),
        body: { items: [{ variant_id: variants[0]!.id, quantity: 2 }] },
      })
      expect(order.status).toBe(201)
      expect(about(await report(), variants[0]!.id)).toEqual([])
      await exec(sql`update product_variants set reserved = reserved + 3 where id = ${variants[0]!.id}`)
      try {
        expect(about(await report(), variants[0]!.id)).toEqual([
          expect.objectContaining({
            kind: 'variant_reserved_mismatch',
            variant_id: variants[0]!.id,
            sku: variants[0]!.sku,
            reserved: 5,
            active_reservations: 2,
          }),
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
        expect(about(await report(), userId)).toEqual([
          expect.objectContaining({ kind: 'points_balance_mismatch', user_id: userId, balance: 307, ledger_sum: 300 }),
        ])
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
        expect.objectContaining({
          kind: 'zalopay_session_status',
          session_id: created.body.sessionId,
          app_trans_id: created.body.appTransId,
          ours: row!['status'],
          gateway: 'paid',
          ours_amount: won.amount,
          gateway_amount: won.amount,
          gateway_transaction_id: expect.any(String),
        }),
      ])
      // The action it names: bookings.reconcile-payments asks ZaloPay's query API and applies it.
      expect((await runJob('bookings.reconcile-payments', { reconcile_after_seconds: 0 })).status).toBe(200)
      expect(about(await report(), created.body.sessionId)).toEqual([])
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
        expect.objectContaining({
          kind: 'paypay_cashback_status',
          merchant_cashback_id: id,
          user_id: u.id,
          ours: 'accepted',
          gateway,
          amount: 400,
          failure_code: gateway === 'FAILURE' ? 'NOT_ENOUGH_MONEY' : null,
        }),
      ])
      // The action it names: the check job settles it (FAILURE returns the points).
      expect((await runJob('loyalty.check-cashbacks', { check_after_seconds: 0 })).status).toBe(200)
      expect(about(await report(), id)).toEqual([])
    })
  })

  describe('acknowledging a mismatch', () => {
    it("is for admins, and refuses what is not a listed mismatch's fingerprint, kind and note", async () => {
      const body = { fingerprint: 'a'.repeat(64), kind: 'points_balance_mismatch', note: 'checked by finance' }
      const post = (b: unknown, t?: string) =>
        call('POST', '/api/admin/reconciliation/acknowledgements', { body: b, ...(t && { token: t }) })
      expect((await post(body)).status).toBe(401)
      expect((await post(body, await token(`u-${uniq()}`))).status).toBe(403)
      const admin = await adminToken()
      for (const bad of [
        { ...body, fingerprint: 'A'.repeat(64) },
        { ...body, fingerprint: 'a'.repeat(63) },
        { ...body, kind: 'made_up' },
        { ...body, note: ' ' },
        { ...body, note: 'x'.repeat(1001) },
      ]) {
        const res = await post(bad, admin)
        expect(res.status, JSON.stringify(bad).slice(0, 100)).toBe(400)
        expect(res.body.error.code).toBe('VALIDATION_FAILED')
      }
    })

    it('an amount Paystack charged short, reviewed and accepted: listed under acknowledged with the note, once', async () => {
      const p = await pendingPayment({ price: 5000 })
      expect((await payAndDeliver(p, { amount: 100 })).body).toMatchObject({ outcome: 'flagged' })
      const [m] = about(await report(), p.paymentId)
      expect(m).toMatchObject({
        kind: 'paystack_payment_amount',
        ours: 'needs_review',
        ours_amount: 5000,
        gateway_amount: 100,
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      })
      const first = await acknowledge(m!, 'short charge collected by bank transfer, ticket FIN-1')
      expect(first.status, JSON.stringify(first.body)).toBe(201)
      expect(first.body).toMatchObject({
        fingerprint: m!['fingerprint'],
        kind: 'paystack_payment_amount',
        note: 'short charge collected by bank transfer, ticket FIN-1',
        acknowledged_by: 'admin-1',
      })
      // Twice (a double click, another operator): the first decision stands.
      const again = await acknowledge(m!, 'a different story')
      expect(again.status).toBe(200)
      expect(again.body.note).toBe(first.body.note)
      const r = await report()
      expect(about(r, p.paymentId)).toEqual([])
      expect(about({ mismatches: r.acknowledged }, p.paymentId)).toEqual([
        expect.objectContaining({
          kind: 'paystack_payment_amount',
          fingerprint: m!['fingerprint'],
          note: first.body.note,
          acknowledged_by: 'admin-1',
          acknowledged_at: first.body.acknowledged_at,
        }),
      ])
      const audits = await exec(
        sql`select actor, data from audit_log where entity_type = 'reconciliation_mismatch' and entity_id = ${m!['fingerprint']}`,
      )
      expect(audits).toEqual([{ actor: 'admin-1', data: { kind: 'paystack_payment_amount', note: first.body.note } }])
    })

    it('covers the mismatch exactly as it was: if either side moves again, it is listed again', async () => {
      const userId = `rec-ack-${uniq()}`
      await grant(userId, 300)
      await exec(sql`update points_accounts set balance = balance + 7 where user_id = ${userId}`)
      onTestFinished(async () => {
        await exec(
          sql`update points_accounts set balance = (select coalesce(sum(points), 0) from points_ledger where user_id = ${userId}) where user_id = ${userId}`,
        )
      })
      const [m] = about(await report(), userId)
      expect((await acknowledge(m!, 'known manual correction')).status).toBe(201)
      expect(about(await report(), userId)).toEqual([])
      await exec(sql`update points_accounts set balance = balance + 1 where user_id = ${userId}`)
      const moved = about(await report(), userId)
      expect(moved).toEqual([expect.objectContaining({ kind: 'points_balance_mismatch', balance: 308, ledger_sum: 300 })])
      expect(moved[0]!['fingerprint']).not.toBe(m!['fingerprint'])
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
