import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { ageOrder, stockRow } from '../commerce/fixtures.ts'
import { runJob } from '../commerce/jobs.ts'
import { deliver, payAndDeliver, pendingPayment, recordedWebhook, rows, sandbox } from './paystack-helpers.ts'
import { about, acknowledge, freshReport } from '../reconciliation/support.ts'

const outboxOf = (ids: string[]) =>
  rows<{ job_name: string; deduplication_id: string; published_at: Date | null }>(
    sql`select job_name, deduplication_id, published_at from outbox where ${sql.join(
      ids.map((id) => sql`deduplication_id like ${`%${id}%`}`),
      sql` or `,
    )} order by id`,
  )

const paymentRow = async (reference: string) =>
  (
    await rows<{ status: string; review_reason: string | null }>(
      sql`select status, review_reason from payments where reference = ${reference}`,
    )
  )[0]!

const orderStatus = async (user: string, orderId: string) =>
  (await call('GET', `/api/v1/orders/${orderId}`, { token: user })).body.order.status

describe('initialize (seed 004 §1 steps 5-9)', () => {
  it('creates one Paystack transaction per order and answers the live intent again', async () => {
    const p = await pendingPayment()
    expect(p.reference).toMatch(/^TXN-[0-9A-Z]{26}$/)
    expect(p.authorizationUrl).toContain('/checkout/')
    const again = await call('POST', `/api/v1/orders/${p.orderId}/payments`, { token: p.user, body: { email: 'payer@example.test' } })
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ reference: p.reference, reused: true, authorization_url: p.authorizationUrl })
    const state = await sandbox('GET', '/__control/state')
    const mine = state.transactions.filter((t: { metadata?: { order_id?: string } }) => t.metadata?.order_id === p.orderId)
    expect(mine).toHaveLength(1)
    expect(mine[0]).toMatchObject({ amount: p.total, currency: 'NGN', reference: p.reference })
  })

  it("refuses someone else's order (404), a paid or expired order (409), and garbage", async () => {
    const p = await pendingPayment()
    const stranger = await token(`stranger-${uniq()}`)
    expect(
      (await call('POST', `/api/v1/orders/${p.orderId}/payments`, { token: stranger, body: { email: 'x@example.test' } })).status,
    ).toBe(404)
    expect((await call('POST', `/api/v1/orders/${p.orderId}/payments`, { token: p.user, body: { email: 'not-an-email' } })).status).toBe(
      400,
    )
    expect((await call('POST', `/api/v1/orders/${p.orderId}/payments`, { body: {} })).status).toBe(401)
    await ageOrder(p.orderId, 16 * 60)
    const expired = await call('POST', `/api/v1/orders/${p.orderId}/payments`, { token: p.user, body: { email: 'payer@example.test' } })
    expect(expired.status).toBe(409)
    expect(expired.body.error.code).toBe('ORDER_EXPIRED')
  })
})

describe('webhook (seed 004 §3)', () => {
  it('refuses a bad or missing signature with 401 and changes nothing', async () => {
    const p = await pendingPayment()
    await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })
    const w = await recordedWebhook(p.reference, 'charge.success')
    expect((await deliver({ body: w.body, signature: 'f'.repeat(128) })).status).toBe(401)
    expect((await deliver({ body: w.body.replace('"success"', '"success" '), signature: w.signature })).status).toBe(401)
    expect((await deliver({ body: w.body, signature: '' })).status).toBe(401)
    expect((await paymentRow(p.reference)).status).toBe('initialized')
    expect(await orderStatus(p.user, p.orderId)).toBe('awaiting_payment')
  })

  it('charge.success pays the order, commits stock and queues the jobs, in one transaction', async () => {
    const p = await pendingPayment({ stock: 5, quantity: 2 })
    const before = await stockRow(p.variantId)
    const res = await payAndDeliver(p)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ status: 'processed', outcome: 'fulfilled' })
    expect((await paymentRow(p.reference)).status).toBe('paid')
    expect(await orderStatus(p.user, p.orderId)).toBe('paid')
    expect(await stockRow(p.variantId)).toMatchObject({ stock: 3, reserved: 0, active: 0, version: before.version + 1 })
    const jobs = await outboxOf([p.orderId, p.paymentId])
    expect(jobs.map((j) => j.job_name).sort()).toEqual(['payments.email', 'payments.email', 'payments.invoice'])
    expect(jobs.every((j) => j.published_at !== null)).toBe(true)
    const audit = await rows<{ action: string }>(
      sql`select action from audit_log where entity_id in (${p.orderId}, ${p.paymentId}) order by id`,
    )
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['payment.paid', 'order.paid', 'inventory.committed']))
    const processed = await rows<{ status: string; processed_at: Date | null }>(
      sql`select status, processed_at from webhook_events where event_key = ${`charge.success:${p.reference}`}`,
    )
    expect(processed).toEqual([{ status: 'processed', processed_at: expect.anything() }])
  })

  it('applies ten concurrent copies of one event once', async () => {
    const p = await pendingPayment({ stock: 3, quantity: 1 })
    await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })
    const w = await recordedWebhook(p.reference, 'charge.success')
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(w)))
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200))
    expect(answers.filter((a) => a.body.status === 'processed')).toHaveLength(1)
    expect(answers.filter((a) => a.body.status === 'duplicate')).toHaveLength(9)
    expect(await stockRow(p.variantId)).toMatchObject({ stock: 2, reserved: 0, version: 2 })
    expect(await outboxOf([p.orderId, p.paymentId])).toHaveLength(3)
    expect((await deliver(w)).body).toEqual({ status: 'duplicate' })
  })

  it('flags an amount that differs from what was initialized and fulfils nothing', async () => {
    const since = new Date().toISOString()
    const p = await pendingPayment({ stock: 3, quantity: 1, price: 5000 })
    const res = await payAndDeliver(p, { amount: 100 })
    expect(res.body).toMatchObject({ status: 'processed', outcome: 'flagged' })
    expect(await paymentRow(p.reference)).toMatchObject({ status: 'needs_review', review_reason: expect.stringContaining('100 NGN') })
    expect(await orderStatus(p.user, p.orderId)).toBe('awaiting_payment')
    expect(await stockRow(p.variantId)).toMatchObject({ stock: 3, reserved: 1 })
    expect(await outboxOf([p.orderId, p.paymentId])).toHaveLength(0)
    // The reconciliation report lists it until an operator reviews it and acknowledges it.
    const [m] = about(await freshReport(since), p.paymentId)
    expect(m).toMatchObject({ kind: 'paystack_payment_amount', ours: 'needs_review', gateway_amount: 100 })
    expect((await acknowledge(m!, 'short charge: customer paid the difference by transfer')).status).toBe(201)
  })

  it('never trusts the body: a validly signed event with a forged amount is settled from verify', async () => {
    const p = await pendingPayment({ stock: 3, quantity: 1, price: 5000 })
    // Paystack never saw a payment, but a signed event claims one: verify says abandoned.
    await sandbox('POST', '/__control/webhooks/send', {
      event: 'charge.success',
      data: { reference: p.reference, amount: 5000, currency: 'NGN', status: 'success' },
      once: true,
    })
    const forged = await recordedWebhook(p.reference, 'charge.success')
    const res = await deliver(forged)
    expect(res.body).toMatchObject({ status: 'processed', outcome: 'not_final' })
    expect((await paymentRow(p.reference)).status).toBe('initialized')
    expect(await orderStatus(p.user, p.orderId)).toBe('awaiting_payment')
  })

  it('a failure rolls everything back, queues nothing, answers 5xx, and the retry completes it', async () => {
    const p = await pendingPayment({ stock: 4, quantity: 2 })
    // Corrupt the variant so the commit violates the stock constraint inside the transaction.
    await rows(sql`update product_variants set stock = 1, reserved = 0 where id = ${p.variantId}`)
    await rows(sql`update reservations set status = 'expired', released_at = now() where order_id = ${p.orderId}`)
    await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })
    const w = await recordedWebhook(p.reference, 'charge.success')
    const failed = await deliver(w)
    expect(failed.body).toMatchObject({ status: 'processed', outcome: 'refund_required' })
    // That was the late path (stock gone): now a hard failure. Fresh payment, break the DB.
    const q = await pendingPayment({ stock: 4, quantity: 2 })
    await rows(sql`alter table outbox add constraint outbox_test_block check (job_name <> 'payments.invoice') not valid`)
    try {
      await sandbox('POST', `/__control/transactions/${q.reference}/settle`, { outcome: 'success' })
      const wq = await recordedWebhook(q.reference, 'charge.success')
      const broken = await deliver(wq)
      expect(broken.status).toBe(500)
      expect((await paymentRow(q.reference)).status).toBe('initialized')
      expect(await orderStatus(q.user, q.orderId)).toBe('awaiting_payment')
      expect(await stockRow(q.variantId)).toMatchObject({ stock: 4, reserved: 2 })
      expect(await outboxOf([q.orderId, q.paymentId])).toHaveLength(0)
      const [ev] = await rows<{ status: string }>(
        sql`select status from webhook_events where event_key = ${`charge.success:${q.reference}`}`,
      )
      expect(ev!.status).toBe('failed')
      await rows(sql`alter table outbox drop constraint outbox_test_block`)
      const retried = await deliver(wq)
      expect(retried.body).toMatchObject({ status: 'processed', outcome: 'fulfilled' })
      expect(await stockRow(q.variantId)).toMatchObject({ stock: 2, reserved: 0 })
    } finally {
      await rows(sql`alter table outbox drop constraint if exists outbox_test_block`)
    }
  })

  it('a payment after expiry commits if the stock is still there', async () => {
    const p = await pendingPayment({ stock: 3, quantity: 2 })
    await ageOrder(p.orderId, 16 * 60)
    expect((await runJob('inventory.expire-reservations')).status).toBe(200)
    expect(await orderStatus(p.user, p.orderId)).toBe('expired')
    const res = await payAndDeliver(p)
    expect(res.body.outcome).toBe('fulfilled')
    expect(await orderStatus(p.user, p.orderId)).toBe('paid')
    expect(await stockRow(p.variantId)).toMatchObject({ stock: 1, reserved: 0 })
  })

  it('a payment after expiry whose stock is gone is refunded automatically, audited', async () => {
    const p = await pendingPayment({ stock: 2, quantity: 2 })
    await ageOrder(p.orderId, 16 * 60)
    const other = await call('POST', '/api/v1/orders', {
      token: await token(`other-${uniq()}`),
      body: { items: [{ variant_id: p.variantId, quantity: 2 }] },
    })
    expect(other.status).toBe(201)
    const res = await payAndDeliver(p)
    expect(res.body.outcome).toBe('refund_required')
    expect((await paymentRow(p.reference)).status).toBe('paid')
    expect(await stockRow(p.variantId)).toMatchObject({ stock: 2, reserved: 2 })
    const [refund] = await rows<{ id: string; status: string; amount: number }>(
      sql`select id, status, amount from refunds where payment_id = ${p.paymentId}`,
    )
    expect(refund).toMatchObject({ status: 'requested', amount: p.total })
    const job = await runJob('payments.auto-refund', { refund_id: refund!.id })
    expect(job.status).toBe(200)
    const again = await runJob('payments.auto-refund', { refund_id: refund!.id })
    expect(again.body.status).toBe('pending')
    const paystackRefunds = await sandbox('GET', `/refund?transaction=${p.reference}`, undefined, true)
    expect(paystackRefunds.data).toHaveLength(1)
    expect((await paymentRow(p.reference)).status).toBe('refunded')
    const audit = await rows<{ action: string }>(sql`select action from audit_log where entity_id in (${p.paymentId}, ${refund!.id})`)
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['payment.paid', 'payment.refund_required', 'refund.accepted']))
  })

  it('a lost webhook is recovered by the verify endpoint and by reconciliation, through the same path', async () => {
    const p = await pendingPayment()
    await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })
    const verified = await call('POST', `/api/v1/payments/${p.reference}/verify`, { token: p.user })
    expect(verified.status).toBe(200)
    expect(verified.body).toMatchObject({ outcome: 'fulfilled', payment: { status: 'paid' } })
    expect((await call('POST', `/api/v1/payments/${p.reference}/verify`, { token: await token('nosy') })).status).toBe(404)
    // The webhook arriving late is then a no-op.
    expect((await deliver(await recordedWebhook(p.reference, 'charge.success'))).body).toMatchObject({ outcome: 'already_settled' })

    const q = await pendingPayment()
    await sandbox('POST', `/__control/transactions/${q.reference}/settle`, { outcome: 'success' })
    await rows(
      sql`update payments set created_at = created_at - interval '10 minutes', updated_at = updated_at - interval '10 minutes' where reference = ${q.reference}`,
    )
    const job = await runJob('payments.reconcile')
    expect(job.status).toBe(200)
    expect(job.body.payments_settled).toBeGreaterThanOrEqual(1)
    expect((await paymentRow(q.reference)).status).toBe('paid')
    expect(await orderStatus(q.user, q.orderId)).toBe('paid')
  })
})

describe('refunds (seed 004 §2)', () => {
  const refund = (body: Record<string, unknown>, key = `rf-${uniq()}`, t?: string) =>
    adminToken().then((admin) => call('POST', '/api/admin/refunds', { token: t ?? admin, body, headers: { 'idempotency-key': key } }))

  it('refunds in parts up to the payment, never beyond, and moves the order', async () => {
    const p = await pendingPayment({ price: 5000, quantity: 2 })
    await payAndDeliver(p)
    const first = await refund({ payment_id: p.paymentId, amount: 4000, reason: 'damaged item' })
    expect(first.status, JSON.stringify(first.body)).toBe(201)
    expect(first.body.refund).toMatchObject({ status: 'pending', amount: 4000, gateway_refund_id: expect.any(String) })
    expect(await orderStatus(p.user, p.orderId)).toBe('partially_refunded')
    const tooMuch = await refund({ payment_id: p.paymentId, amount: 6001, reason: 'more' })
    expect(tooMuch.status).toBe(422)
    expect(tooMuch.body.error).toMatchObject({ code: 'REFUND_EXCEEDS_REMAINING', details: { refundable: 6000 } })
    const rest = await refund({ payment_id: p.paymentId, amount: 6000, reason: 'rest' })
    expect(rest.status).toBe(201)
    expect(await orderStatus(p.user, p.orderId)).toBe('refunded')
    expect((await paymentRow(p.reference)).status).toBe('refunded')
  })

  it('two partial refunds racing that together exceed the payment: one is refused', async () => {
    const p = await pendingPayment({ price: 5000 })
    await payAndDeliver(p)
    const [a, b] = await Promise.all([
      refund({ payment_id: p.paymentId, amount: 3000, reason: 'a' }),
      refund({ payment_id: p.paymentId, amount: 3000, reason: 'b' }),
    ])
    expect([a.status, b.status].sort()).toEqual([201, 422])
    const paystackRefunds = await sandbox('GET', `/refund?transaction=${p.reference}`, undefined, true)
    expect(paystackRefunds.data).toHaveLength(1)
  })

  it('is admin-only, needs an Idempotency-Key, replays it, and refuses unpaid payments', async () => {
    const p = await pendingPayment()
    const user = await token(`u-${uniq()}`)
    expect((await refund({ payment_id: p.paymentId, amount: 1, reason: 'x' }, `k-${uniq()}`, user)).status).toBe(403)
    const admin = await adminToken()
    const noKey = await call('POST', '/api/admin/refunds', { token: admin, body: { payment_id: p.paymentId, amount: 1, reason: 'x' } })
    expect(noKey.status).toBe(400)
    expect(noKey.body.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED')
    const unpaid = await refund({ payment_id: p.paymentId, amount: 1, reason: 'x' })
    expect(unpaid.status).toBe(409)
    expect(unpaid.body.error.code).toBe('PAYMENT_NOT_REFUNDABLE')
    await payAndDeliver(p)
    const key = `same-${uniq()}`
    const once = await refund({ payment_id: p.paymentId, amount: 100, reason: 'x' }, key)
    const twice = await refund({ payment_id: p.paymentId, amount: 100, reason: 'x' }, key)
    expect(twice.body.refund.refund_id).toBe(once.body.refund.refund_id)
    expect(twice.headers.get('idempotent-replayed')).toBe('true')
    expect((await refund({ payment_id: p.paymentId, amount: 0, reason: 'x' })).status).toBe(400)
    expect((await refund({ payment_id: p.paymentId, amount: 1.5, reason: 'x' })).status).toBe(400)
  })

  it('a Paystack refusal leaves a failed refund and a clear error, and frees the amount', async () => {
    const since = new Date().toISOString()
    const p = await pendingPayment({ price: 5000 })
    await payAndDeliver(p)
    // Refunded behind our back in Paystack: our request is refused there.
    await sandbox('POST', '/refund', { transaction: p.reference }, true)
    const res = await refund({ payment_id: p.paymentId, amount: 1000, reason: 'x' })
    expect(res.status).toBe(502)
    expect(res.body.error).toMatchObject({ code: 'REFUND_FAILED', details: { refund: { status: 'failed' } } })
    expect((await paymentRow(p.reference)).status).toBe('paid')
    expect(await orderStatus(p.user, p.orderId)).toBe('paid')
    // The refund made on the dashboard is listed by reconciliation until an operator accepts it.
    const [m] = about(await freshReport(since), p.paymentId)
    expect(m).toMatchObject({ kind: 'paystack_refund_unknown_to_us', gateway_amount: 5000 })
    expect((await acknowledge(m!, 'refunded on the Paystack dashboard by support')).status).toBe(201)
  })

  it('refund webhooks move the refund through its states, out of order ones refused by the table', async () => {
    const p = await pendingPayment({ price: 5000 })
    await payAndDeliver(p)
    const r = await refund({ payment_id: p.paymentId, amount: 5000, reason: 'x' })
    const gatewayId = r.body.refund.gateway_refund_id
    await sandbox('POST', `/__control/refunds/${gatewayId}/settle`, { outcome: 'processed' })
    const processed = await deliver(await recordedWebhook(p.reference, 'refund.processed'))
    expect(processed.body).toMatchObject({ status: 'processed' })
    const view = await call('GET', `/api/admin/payments/${p.paymentId}`, { token: await adminToken() })
    expect(view.body.refunds[0].status).toBe('processed')
    // A stale refund.pending arriving afterwards changes nothing.
    const stale = await deliver(await recordedWebhook(p.reference, 'refund.pending'))
    expect(stale.status).toBe(200)
    const after = await call('GET', `/api/admin/payments/${p.paymentId}`, { token: await adminToken() })
    expect(after.body.refunds[0].status).toBe('processed')
  })
})

describe('jobs after payment', () => {
  it('invoice and emails are idempotent under redelivery', async () => {
    const p = await pendingPayment({ price: 1234, quantity: 3 })
    await payAndDeliver(p)
    const runs = await Promise.all(
      Array.from({ length: 3 }, () => runJob('payments.invoice', { order_id: p.orderId, payment_id: p.paymentId })),
    )
    expect(runs.map((r) => r.status)).toEqual([200, 200, 200])
    const invoice = await call('GET', `/api/v1/orders/${p.orderId}/invoice`, { token: p.user })
    expect(invoice.status).toBe(200)
    expect(String(invoice.body)).toContain('37.02 NGN')
    expect((await call('GET', `/api/v1/orders/${p.orderId}/invoice`, { token: await token('nosy') })).status).toBe(404)

    const mails = await Promise.all(
      Array.from({ length: 3 }, () => runJob('payments.email', { kind: 'payment_receipt', payment_id: p.paymentId })),
    )
    expect(mails.map((m) => m.body.result).sort()).toEqual(['duplicate', 'duplicate', 'sent'])
    const box = await call('GET', '/dev/mailbox')
    expect(box.status).toBe(200)
    expect(String(box.body)).toContain(p.reference)
  })
})
