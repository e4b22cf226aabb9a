import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { ageOrder, newProduct } from '../integration/commerce/fixtures.ts'
import { runJob } from '../integration/commerce/jobs.ts'
import { adminToken, call, token, uniq } from '../integration/helpers.ts'
import { deliver, payAndDeliver, pendingPayment, recordedWebhook, rows, sandbox } from '../integration/payments/paystack-helpers.ts'
import { measure, recordBudget, type Counts } from './round-trips.ts'

/**
 * Payments (seed 004 §1-3), issue 13's budgets:
 * - initialize: one statement reads the order and opens the payment (guarded: one live payment
 *   per order), one records Paystack's answer; one Redis call caches the intent (seed step 7).
 * - charge.success webhook: the claim (which also reads the charge snapshot), the whole
 *   fulfilment (payment, order, stock commit, audit, outbox) in one function call, and the mark
 *   (event processed + its jobs marked published): 3 statements; Redis: the payment intent and
 *   the reservation cache cleared. The jobs it queues run later (QStash), counted separately.
 * - admin refund: the hold and the record, one statement each around Paystack's call, and the
 *   refund email job marked published after its publish.
 */

function expectBudget(name: string, c: Counts, budget: { statements: number; redisCalls: number }) {
  recordBudget(name, c)
  expect(c.statements, name).toBe(budget.statements)
  expect(c.redisCalls, name).toBe(budget.redisCalls)
  expect(c.roundTrips, name).toBeLessThanOrEqual(2 * c.statements)
}

async function unpaidOrder() {
  const { variants } = await newProduct([{ stock: 5, price: 5000 }])
  const user = await token(`budget-payer-${uniq()}`)
  const order = await call('POST', '/api/v1/orders', { token: user, body: { items: [{ variant_id: variants[0]!.id, quantity: 1 }] } })
  expect(order.status, JSON.stringify(order.body)).toBe(201)
  return { user, orderId: order.body.order_id as string }
}

describe('payments round trips', () => {
  it('POST /api/v1/orders/{id}/payments: 2 statements around the Paystack call, 1 Redis call', async () => {
    const { user, orderId } = await unpaidOrder()
    const m = await measure(() =>
      call('POST', `/api/v1/orders/${orderId}/payments`, { token: user, body: { email: 'payer@example.test' } }),
    )
    expect(m.result.status, JSON.stringify(m.result.body)).toBe(201)
    expectBudget('POST /api/v1/orders/{id}/payments', m.settled, { statements: 2, redisCalls: 1 })

    const again = await measure(() => call('POST', `/api/v1/orders/${orderId}/payments`, { token: user, body: {} }))
    expect(again.result.status, JSON.stringify(again.result.body)).toBe(200)
    expectBudget('POST /api/v1/orders/{id}/payments (live intent again)', again.settled, { statements: 1, redisCalls: 1 })
  })

  it('Paystack charge.success: claim + fulfilment + mark, 3 statements; its jobs counted apart', async () => {
    const p = await pendingPayment({ stock: 5, quantity: 2 })
    await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })
    const webhook = await recordedWebhook(p.reference, 'charge.success')
    const m = await measure(() => deliver(webhook))
    expect(m.result.body).toMatchObject({ status: 'processed', outcome: 'fulfilled' })
    expectBudget('POST /webhooks/paystack (charge.success, fulfilled)', m.settled, { statements: 3, redisCalls: 2 })

    const duplicate = await measure(() => deliver(webhook))
    expect(duplicate.result.body).toEqual({ status: 'duplicate' })
    expectBudget('POST /webhooks/paystack (duplicate)', duplicate.settled, { statements: 1, redisCalls: 0 })

    // The jobs the settlement queued, as QStash would deliver them (recorded, not budgeted here).
    const jobs = await rows<{ job_name: string; payload: unknown }>(
      sql`select job_name, payload from outbox where deduplication_id like ${`%${p.paymentId}%`} or deduplication_id like ${`%${p.orderId}%`} order by id`,
    )
    expect(jobs.map((j) => j.job_name).sort()).toEqual(['payments.email', 'payments.email', 'payments.invoice'])
    for (const j of jobs) {
      const run = await measure(() => runJob(j.job_name, j.payload))
      expect(run.result.status, JSON.stringify(run.result.body)).toBe(200)
      const kind = (j.payload as { kind?: string }).kind
      recordBudget(`job ${j.job_name}${kind ? ` (${kind})` : ''} after charge.success`, run.settled)
    }
  })

  it('a late payment whose stock is gone: still 3 statements (the automatic refund is recorded in the fulfilment)', async () => {
    const p = await pendingPayment({ stock: 2, quantity: 2 })
    await ageOrder(p.orderId, 16 * 60)
    const other = await call('POST', '/api/v1/orders', {
      token: await token(`other-${uniq()}`),
      body: { items: [{ variant_id: p.variantId, quantity: 2 }] },
    })
    expect(other.status, JSON.stringify(other.body)).toBe(201)
    await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })
    const webhook = await recordedWebhook(p.reference, 'charge.success')
    const m = await measure(() => deliver(webhook))
    expect(m.result.body).toMatchObject({ status: 'processed', outcome: 'refund_required' })
    expectBudget('POST /webhooks/paystack (charge.success, late, refunded)', m.settled, { statements: 3, redisCalls: 2 })
  })

  it('POST /api/admin/refunds: hold and record, 1 statement each, + the email job marked published', async () => {
    const p = await pendingPayment({ price: 5000 })
    expect((await payAndDeliver(p)).body).toMatchObject({ outcome: 'fulfilled' })
    const admin = await adminToken()
    const m = await measure(() =>
      call('POST', '/api/admin/refunds', {
        token: admin,
        body: { payment_id: p.paymentId, amount: 2000, reason: 'budget' },
        headers: { 'idempotency-key': `bud-${uniq()}` },
      }),
    )
    expect(m.result.status, JSON.stringify(m.result.body)).toBe(201)
    expect(m.result.body.refund).toMatchObject({ status: 'pending', amount: 2000 })
    // Redis: the Idempotency-Key's claim and its stored response.
    expectBudget('POST /api/admin/refunds', m.settled, { statements: 3, redisCalls: 2 })
  })
})
