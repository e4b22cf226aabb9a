import { sql } from 'drizzle-orm'
import { afterEach, describe, expect, it } from 'vitest'
import { newProduct, stockRow } from '../commerce/fixtures.ts'
import { runJob } from '../commerce/jobs.ts'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { deliver, payAndDeliver, pendingPayment, recordedWebhook, rows, sandbox } from '../payments/paystack-helpers.ts'

/**
 * Paystack's failure modes (the sandbox's shared fault contract) during initialize, verify (the
 * webhook settlement) and refund: each ends in a correct state, the retry reuses the same
 * reference, and the money balances. ZaloPay create and PayPay give are covered in
 * tests/integration/{bookings,loyalty} (5xx, reset, 429, lost answers, same app_trans_id /
 * merchantCashbackId). The faults are one-shot and consumed by the call under test. (A timeout
 * is the same transient path as reset, after the gateway's 10 s abort: left to the slower suites.)
 */
type Kind = 'http_500' | 'http_429' | 'reset' | 'malformed' | 'slow'
const TRANSIENT: Kind[] = ['http_500', 'http_429', 'reset', 'malformed']
const fault = (operation: string, kind: Kind) => sandbox('POST', '/__control/faults', { operation, kind, ...(kind === 'slow' && { delayMs: 300 }) })

afterEach(() => sandbox('DELETE', '/__control/faults'))

describe('Paystack initialize under faults', () => {
  it.each([...TRANSIENT, 'slow' as const])('%s: one payment, one reference, one Paystack transaction after the retry', async (kind) => {
    const { variants } = await newProduct([{ stock: 3, price: 4200 }])
    const user = await token(`gf-${uniq()}`)
    const order = await call('POST', '/api/v1/orders', { token: user, body: { items: [{ variant_id: variants[0]!.id, quantity: 1 }] } })
    expect(order.status).toBe(201)
    const init = () => call('POST', `/api/v1/orders/${order.body.order_id}/payments`, { token: user, body: { email: 'gf@example.test' } })
    await fault('initialize', kind)
    const first = await init()
    if (kind === 'slow') expect(first.status).toBe(201)
    else {
      expect(first.status, JSON.stringify(first.body)).toBe(503)
      expect(first.body.error.code).toBe('DEPENDENCY_UNAVAILABLE')
    }
    const retry = await init()
    expect(retry.status, JSON.stringify(retry.body)).toBe(kind === 'slow' ? 200 : 201)
    // By design a reference whose initialize failed is retired (nobody was shown its page, and
    // Paystack refuses a reference twice): one live payment, on the retry's reference.
    const ours = await rows<{ reference: string; status: string }>(sql`select reference, status from payments where order_id = ${order.body.order_id} order by created_at`)
    expect(ours.filter((r) => r.status === 'initialized').map((r) => r.reference)).toEqual([retry.body.reference])
    expect(ours.filter((r) => r.status === 'paid')).toEqual([])
    expect(ours).toHaveLength(kind === 'slow' ? 1 : 2)
    const verify = await sandbox('GET', `/transaction/verify/${retry.body.reference}`, undefined, true)
    expect(verify.data).toMatchObject({ reference: retry.body.reference, amount: 4200 })
    // The retry answered the same live intent again (slow) or the new one: asking once more changes nothing.
    expect((await init()).body.reference).toBe(retry.body.reference)
  })
})

describe('Paystack verify under faults (charge.success settlement)', () => {
  it.each([...TRANSIENT, 'slow' as const])('%s: nothing applied on failure, the redelivery settles it once', async (kind) => {
    const p = await pendingPayment({ stock: 4, quantity: 2 })
    await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })
    const webhook = await recordedWebhook(p.reference, 'charge.success')
    await fault('verify', kind)
    const first = await deliver(webhook)
    if (kind !== 'slow') {
      expect(first.status, JSON.stringify(first.body)).toBeGreaterThanOrEqual(500)
      expect((await rows<{ status: string }>(sql`select status from payments where id = ${p.paymentId}`))[0]!.status).toBe('initialized')
      expect(await stockRow(p.variantId)).toMatchObject({ stock: 4, reserved: 2 })
      const again = await deliver(webhook)
      expect(again.body).toMatchObject({ status: 'processed', outcome: 'fulfilled' })
    } else {
      expect(first.body).toMatchObject({ status: 'processed', outcome: 'fulfilled' })
    }
    expect((await deliver(webhook)).body.status).toBe('duplicate')
    expect(await stockRow(p.variantId)).toMatchObject({ stock: 2, reserved: 0 })
    expect((await rows<{ n: number }>(sql`select count(*)::int as n from audit_log where entity_id = ${p.paymentId} and action = 'payment.paid'`))[0]!.n).toBe(1)
  })
})

describe('Paystack refund under faults', () => {
  it.each([...TRANSIENT, 'slow' as const])('%s: a failed call refunds nothing; the retry with the same key refunds once', async (kind) => {
    const p = await pendingPayment({ price: 5000 })
    await payAndDeliver(p)
    const key = `gf-${uniq()}`
    const admin = await adminToken()
    const refund = () => call('POST', '/api/admin/refunds', { token: admin, body: { payment_id: p.paymentId, amount: 1500, reason: 'fault test' }, headers: { 'idempotency-key': key } })
    await fault('refund', kind)
    const first = await refund()
    if (kind !== 'slow') {
      expect(first.status, JSON.stringify(first.body)).toBe(503)
      expect((await sandbox('GET', `/refund?transaction=${p.reference}`, undefined, true)).data).toHaveLength(0)
      const retry = await refund()
      expect(retry.status, JSON.stringify(retry.body)).toBe(201)
    } else {
      expect(first.status).toBe(201)
      expect((await refund()).headers.get('idempotent-replayed')).toBe('true')
    }
    const atPaystack = (await sandbox('GET', `/refund?transaction=${p.reference}`, undefined, true)).data as Array<{ amount: number }>
    expect(atPaystack.map((r) => r.amount)).toEqual([1500])
    const ours = await rows<{ status: string; amount: number }>(sql`select status, amount from refunds where payment_id = ${p.paymentId} and status in ('pending', 'processed')`)
    expect(ours.map((r) => r.amount)).toEqual([1500])
  })

  it('a refund whose Paystack call failed is released by reconciliation, freeing its amount', async () => {
    const p = await pendingPayment({ price: 5000 })
    await payAndDeliver(p)
    const admin = await adminToken()
    await fault('refund', 'http_500')
    const failed = await call('POST', '/api/admin/refunds', { token: admin, body: { payment_id: p.paymentId, amount: 5000, reason: 'lost call' }, headers: { 'idempotency-key': `gf-${uniq()}` } })
    expect(failed.status).toBe(503)
    // The whole amount is held by the unanswered request: nothing more can be refunded yet.
    const blocked = await call('POST', '/api/admin/refunds', { token: admin, body: { payment_id: p.paymentId, amount: 5000, reason: 'again' }, headers: { 'idempotency-key': `gf-${uniq()}` } })
    expect(blocked.body.error.code).toBe('REFUND_EXCEEDS_REMAINING')
    // Minutes later Paystack still has no such refund: reconciliation releases the hold.
    await rows(sql`update refunds set created_at = created_at - interval '10 minutes' where payment_id = ${p.paymentId} and status = 'requested'`)
    const job = await runJob('payments.reconcile')
    expect(job.status).toBe(200)
    expect(job.body.refund_requests_released).toBeGreaterThanOrEqual(1)
    const held = await rows<{ status: string; failure_reason: string | null }>(sql`select status, failure_reason from refunds where payment_id = ${p.paymentId}`)
    expect(held).toEqual([{ status: 'failed', failure_reason: expect.stringContaining('never reached Paystack') }])
    const retry = await call('POST', '/api/admin/refunds', { token: admin, body: { payment_id: p.paymentId, amount: 5000, reason: 'again' }, headers: { 'idempotency-key': `gf-${uniq()}` } })
    expect(retry.status, JSON.stringify(retry.body)).toBe(201)
    expect(((await sandbox('GET', `/refund?transaction=${p.reference}`, undefined, true)).data as unknown[]).length).toBe(1)
  })
})
