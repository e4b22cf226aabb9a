import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { stockRow } from '../commerce/fixtures.ts'
import { adminToken, call, uniq } from '../helpers.ts'
import { deliver, payAndDeliver, pendingPayment, recordedWebhook, rows, sandbox } from '../payments/paystack-helpers.ts'
import { countFigure } from '../../support/figures.ts'

/**
 * Webhook cases not already in tests/integration/payments (duplicates, forged amounts, stale refund
 * events) and bookings/loyalty (duplicate callbacks, FAILED after PAID, wrong amounts): a refund
 * event arriving before the charge event, and an old signed charge.success replayed after the
 * payment was refunded.
 */
const paymentStatus = async (id: string) => (await rows<{ status: string }>(sql`select status from payments where id = ${id}`))[0]!.status

describe('webhooks reordered and replayed', () => {
  it('a refund event before the charge event applies nothing; the charge then settles normally', async () => {
    const p = await pendingPayment({ stock: 3, quantity: 1, price: 5000 })
    await sandbox('POST', '/__control/webhooks/send', {
      event: 'refund.processed',
      data: { transaction_reference: p.reference, refund_reference: `RR${uniq()}`, amount: 5000, currency: 'NGN', status: 'processed' },
      once: true,
    })
    const early = await deliver(await recordedWebhook(p.reference, 'refund.processed'))
    countFigure('events reordered or replayed')
    expect(early.status, JSON.stringify(early.body)).toBe(200)
    expect(await paymentStatus(p.paymentId)).toBe('initialized')
    expect(await rows(sql`select id from refunds where payment_id = ${p.paymentId}`)).toHaveLength(0)

    expect((await payAndDeliver(p)).body).toMatchObject({ status: 'processed', outcome: 'fulfilled' })
    expect(await paymentStatus(p.paymentId)).toBe('paid')
    expect(await rows(sql`select id from refunds where payment_id = ${p.paymentId}`)).toHaveLength(0)
    expect(await stockRow(p.variantId)).toMatchObject({ stock: 2, reserved: 0 })
  })

  it('an old signed charge.success replayed after a full refund is a duplicate and pays nothing again', async () => {
    const p = await pendingPayment({ stock: 3, quantity: 1, price: 5000 })
    await payAndDeliver(p)
    const old = await recordedWebhook(p.reference, 'charge.success')
    const refunded = await call('POST', '/api/admin/refunds', {
      token: await adminToken(),
      body: { payment_id: p.paymentId, amount: 5000, reason: 'replay test' },
      headers: { 'idempotency-key': `rp-${uniq()}` },
    })
    expect(refunded.status, JSON.stringify(refunded.body)).toBe(201)
    expect(await paymentStatus(p.paymentId)).toBe('refunded')
    const before = await stockRow(p.variantId)

    const replays = await Promise.all([deliver(old), deliver(old), deliver(old)])
    countFigure('events reordered or replayed', replays.length)
    for (const r of replays) expect(r).toMatchObject({ status: 200, body: { status: 'duplicate' } })
    expect(await paymentStatus(p.paymentId)).toBe('refunded')
    expect(await stockRow(p.variantId)).toEqual(before)
    expect(
      (
        await rows<{ n: number }>(
          sql`select count(*)::int as n from audit_log where entity_id = ${p.paymentId} and action = 'payment.paid'`,
        )
      )[0]!.n,
    ).toBe(1)
  })
})
