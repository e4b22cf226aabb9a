import { env } from 'cloudflare:test'
import { sql } from 'drizzle-orm'
import { afterEach, describe, expect, it } from 'vitest'
import { newProduct, stockRow } from '../commerce/fixtures.ts'
import { runJob } from '../commerce/jobs.ts'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { deliver, payAndDeliver, pendingPayment, recordedWebhook, rows, sandbox } from '../payments/paystack-helpers.ts'
import { countFigure } from '../../support/figures.ts'

/**
 * Paystack's failure modes (the sandbox's shared fault contract) during initialize, verify (the
 * webhook settlement) and refund: each ends in a correct state, the retry reuses the same
 * reference, and the money balances. ZaloPay create and PayPay give are covered in
 * tests/integration/{bookings,loyalty} (5xx, reset, 429, lost answers, same app_trans_id /
 * merchantCashbackId). The faults are one-shot and consumed by the call under test. Timeouts have
 * their own block at the end: the sandbox hangs past the adapter's PAYSTACK_TIMEOUT_MS.
 */
type Kind = 'http_500' | 'http_429' | 'reset' | 'malformed' | 'slow'
const TRANSIENT: Kind[] = ['http_500', 'http_429', 'reset', 'malformed']
const fault = (operation: string, kind: Kind) => {
  countFigure(`Paystack faults injected (${kind})`)
  return sandbox('POST', '/__control/faults', { operation, kind, ...(kind === 'slow' && { delayMs: 300 }) })
}

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
    const ours = await rows<{ reference: string; status: string }>(
      sql`select reference, status from payments where order_id = ${order.body.order_id} order by created_at`,
    )
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
    expect(
      (
        await rows<{ n: number }>(
          sql`select count(*)::int as n from audit_log where entity_id = ${p.paymentId} and action = 'payment.paid'`,
        )
      )[0]!.n,
    ).toBe(1)
  })
})

describe('Paystack refund under faults', () => {
  it.each([...TRANSIENT, 'slow' as const])('%s: a failed call refunds nothing; the retry with the same key refunds once', async (kind) => {
    const p = await pendingPayment({ price: 5000 })
    await payAndDeliver(p)
    const key = `gf-${uniq()}`
    const admin = await adminToken()
    const refund = () =>
      call('POST', '/api/admin/refunds', {
        token: admin,
        body: { payment_id: p.paymentId, amount: 1500, reason: 'fault test' },
        headers: { 'idempotency-key': key },
      })
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
    const ours = await rows<{ status: string; amount: number }>(
      sql`select status, amount from refunds where payment_id = ${p.paymentId} and status in ('pending', 'processed')`,
    )
    expect(ours.map((r) => r.amount)).toEqual([1500])
  })

  it('a refund whose Paystack call failed is released by reconciliation, freeing its amount', async () => {
    const p = await pendingPayment({ price: 5000 })
    await payAndDeliver(p)
    const admin = await adminToken()
    await fault('refund', 'http_500')
    const failed = await call('POST', '/api/admin/refunds', {
      token: admin,
      body: { payment_id: p.paymentId, amount: 5000, reason: 'lost call' },
      headers: { 'idempotency-key': `gf-${uniq()}` },
    })
    expect(failed.status).toBe(503)
    // The whole amount is held by the unanswered request: nothing more can be refunded yet.
    const blocked = await call('POST', '/api/admin/refunds', {
      token: admin,
      body: { payment_id: p.paymentId, amount: 5000, reason: 'again' },
      headers: { 'idempotency-key': `gf-${uniq()}` },
    })
    expect(blocked.body.error.code).toBe('REFUND_EXCEEDS_REMAINING')
    // Minutes later Paystack still has no such refund: reconciliation releases the hold.
    await rows(
      sql`update refunds set created_at = created_at - interval '10 minutes' where payment_id = ${p.paymentId} and status = 'requested'`,
    )
    const job = await runJob('payments.reconcile')
    expect(job.status).toBe(200)
    expect(job.body.refund_requests_released).toBeGreaterThanOrEqual(1)
    const held = await rows<{ status: string; failure_reason: string | null }>(
      sql`select status, failure_reason from refunds where payment_id = ${p.paymentId}`,
    )
    expect(held).toEqual([{ status: 'failed', failure_reason: expect.stringContaining('never reached Paystack') }])
    const retry = await call('POST', '/api/admin/refunds', {
      token: admin,
      body: { payment_id: p.paymentId, amount: 5000, reason: 'again' },
      headers: { 'idempotency-key': `gf-${uniq()}` },
    })
    expect(retry.status, JSON.stringify(retry.body)).toBe(201)
    expect(((await sandbox('GET', `/refund?transaction=${p.reference}`, undefined, true)).data as unknown[]).length).toBe(1)
  })
})

/**
 * Timeouts. The adapter aborts a Paystack call after PAYSTACK_TIMEOUT_MS (5 s in the test bindings,
 * 10 s by default). The sandbox's `timeout` fault hangs BEFORE acting and then drops the socket
 * (tools/shared/http-kit.ts), so Paystack never did anything; a `slow` fault longer than our
 * timeout acts AFTER we gave up, which is the other way a timeout can end: Paystack did it and the
 * answer was lost. Refunds are checked both ways, since a second refund is real money.
 */
const TIMEOUT_MS = Number((env as unknown as Record<string, string>)['PAYSTACK_TIMEOUT_MS'])
const hang = (operation: string) => {
  countFigure('Paystack faults injected (timeout)')
  return sandbox('POST', '/__control/faults', { operation, kind: 'timeout', delayMs: TIMEOUT_MS + 3000 })
}
/** Paystack acts, but only after our call has given up waiting. */
const actLate = (operation: string) => {
  countFigure('Paystack faults injected (answer after our timeout)')
  return sandbox('POST', '/__control/faults', { operation, kind: 'slow', delayMs: TIMEOUT_MS + 500 })
}
const refundsAtPaystack = async (reference: string) =>
  (await sandbox('GET', `/refund?transaction=${reference}`, undefined, true)).data as Array<{ id: number; amount: number }>

describe('Paystack calls that time out', () => {
  it('initialize: 503 after the timeout, nothing at Paystack; the retry makes the one live payment', async () => {
    expect(TIMEOUT_MS).toBeGreaterThanOrEqual(1000)
    const { variants } = await newProduct([{ stock: 3, price: 4200 }])
    const user = await token(`gf-${uniq()}`)
    const order = await call('POST', '/api/v1/orders', { token: user, body: { items: [{ variant_id: variants[0]!.id, quantity: 1 }] } })
    const init = () => call('POST', `/api/v1/orders/${order.body.order_id}/payments`, { token: user, body: { email: 'gf@example.test' } })
    await hang('initialize')
    const started = Date.now()
    const first = await init()
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 50)
    expect(first.status, JSON.stringify(first.body)).toBe(503)
    expect(first.body.error.code).toBe('DEPENDENCY_UNAVAILABLE')
    const [timedOut] = await rows<{ reference: string; status: string }>(
      sql`select reference, status from payments where order_id = ${order.body.order_id}`,
    )
    expect(timedOut!.status).not.toBe('initialized')
    expect((await sandbox('GET', `/transaction/verify/${timedOut!.reference}`, undefined, true)).status).toBe(false)

    const retry = await init()
    expect(retry.status, JSON.stringify(retry.body)).toBe(201)
    const ours = await rows<{ reference: string; status: string }>(
      sql`select reference, status from payments where order_id = ${order.body.order_id} order by created_at`,
    )
    expect(ours.filter((r) => r.status === 'initialized').map((r) => r.reference)).toEqual([retry.body.reference])
    expect(ours).toHaveLength(2)
    expect((await sandbox('GET', `/transaction/verify/${retry.body.reference}`, undefined, true)).data).toMatchObject({
      reference: retry.body.reference,
      amount: 4200,
    })
    expect((await init()).body.reference).toBe(retry.body.reference)
  })

  it('verify (charge.success): 5xx after the timeout, nothing applied; the redelivery settles it once', async () => {
    const p = await pendingPayment({ stock: 4, quantity: 2 })
    await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })
    const webhook = await recordedWebhook(p.reference, 'charge.success')
    await hang('verify')
    const first = await deliver(webhook)
    expect(first.status, JSON.stringify(first.body)).toBeGreaterThanOrEqual(500)
    expect((await rows<{ status: string }>(sql`select status from payments where id = ${p.paymentId}`))[0]!.status).toBe('initialized')
    expect((await rows<{ status: string }>(sql`select status from orders where id = ${p.orderId}`))[0]!.status).toBe('awaiting_payment')
    expect(await stockRow(p.variantId)).toMatchObject({ stock: 4, reserved: 2 })
    expect(
      (
        await rows<{ n: number }>(
          sql`select count(*)::int as n from outbox where deduplication_id like ${`%${p.paymentId}%`} or deduplication_id like ${`%${p.orderId}%`}`,
        )
      )[0]!.n,
    ).toBe(0)

    const [again, copy] = await Promise.all([deliver(webhook), deliver(webhook)])
    expect([again, copy].map((r) => (r.body.status === 'duplicate' ? 'duplicate' : r.body.outcome)).sort()).toEqual([
      'duplicate',
      'fulfilled',
    ])
    expect(await stockRow(p.variantId)).toMatchObject({ stock: 2, reserved: 0 })
    expect(
      (
        await rows<{ n: number }>(
          sql`select count(*)::int as n from audit_log where entity_id = ${p.paymentId} and action = 'payment.paid'`,
        )
      )[0]!.n,
    ).toBe(1)
    expect(
      (await rows<{ status: string }>(sql`select status from webhook_events where event_key = ${`charge.success:${p.reference}`}`)).map(
        (e) => e.status,
      ),
    ).toEqual(['processed'])
  })

  describe('refund: the retry with the same Idempotency-Key refunds once, whether or not Paystack acted', () => {
    const PAID = 5000
    const refundCase = async (fault: (op: string) => Promise<unknown>, amount = 1500) => {
      const p = await pendingPayment({ price: PAID })
      await payAndDeliver(p)
      const admin = await adminToken()
      const key = `gf-${uniq()}`
      const refund = () =>
        call('POST', '/api/admin/refunds', {
          token: admin,
          body: { payment_id: p.paymentId, amount, reason: 'timeout test' },
          headers: { 'idempotency-key': key },
        })
      await fault('refund')
      const first = await refund()
      expect(first.status, JSON.stringify(first.body)).toBe(503)
      expect(first.body.error.code).toBe('DEPENDENCY_UNAVAILABLE')
      // The outcome is unknown: the amount stays held, so no other refund can take it meanwhile.
      const held = await rows<{ id: string; status: string; amount: number; gateway_refund_id: string | null }>(
        sql`select id, status, amount, gateway_refund_id from refunds where payment_id = ${p.paymentId}`,
      )
      expect(held).toEqual([{ id: expect.stringMatching(/^rfd_/), status: 'requested', amount, gateway_refund_id: null }])
      const tooMuch = await call('POST', '/api/admin/refunds', {
        token: admin,
        body: { payment_id: p.paymentId, amount: PAID - amount + 1, reason: 'other' },
        headers: { 'idempotency-key': `gf-${uniq()}` },
      })
      expect(tooMuch.body.error.code).toBe('REFUND_EXCEEDS_REMAINING')
      return { p, refund, heldId: held[0]!.id }
    }

    /** One refund at Paystack and one of ours, the same, accepted; payment and order (partially) refunded. */
    const balanced = async (p: Awaited<ReturnType<typeof pendingPayment>>, heldId: string, amount = 1500) => {
      const atPaystack = await refundsAtPaystack(p.reference)
      expect(atPaystack.map((r) => r.amount)).toEqual([amount])
      const ours = await rows<{ id: string; status: string; amount: number; gateway_refund_id: string | null }>(
        sql`select id, status, amount, gateway_refund_id from refunds where payment_id = ${p.paymentId}`,
      )
      expect(ours).toEqual([
        {
          id: heldId,
          status: expect.stringMatching(/^(pending|processing|processed)$/),
          amount,
          gateway_refund_id: String(atPaystack[0]!.id),
        },
      ])
      const refunded = amount === PAID ? 'refunded' : 'partially_refunded'
      expect((await rows<{ status: string }>(sql`select status from payments where id = ${p.paymentId}`))[0]!.status).toBe(refunded)
      expect((await rows<{ status: string }>(sql`select status from orders where id = ${p.orderId}`))[0]!.status).toBe(refunded)
    }

    it('Paystack never got it (hung, then dropped): the retry sends it, once', async () => {
      const { p, refund, heldId } = await refundCase(hang)
      expect(await refundsAtPaystack(p.reference)).toHaveLength(0)
      const retry = await refund()
      expect(retry.status, JSON.stringify(retry.body)).toBe(201)
      expect(retry.body.refund.refund_id).toBe(heldId)
      await balanced(p, heldId)
      expect((await refund()).headers.get('idempotent-replayed')).toBe('true')
    })

    it('Paystack made it after we gave up: the retry finds it there and sends nothing', async () => {
      const { p, refund, heldId } = await refundCase(actLate)
      await expect.poll(async () => (await refundsAtPaystack(p.reference)).length, { timeout: 5_000 }).toBe(1)
      const retry = await refund()
      expect(retry.status, JSON.stringify(retry.body)).toBe(201)
      expect(retry.body.refund).toMatchObject({ refund_id: heldId, amount: 1500 })
      await balanced(p, heldId)
      // The scheduled reconciliation agrees and changes nothing.
      const job = await runJob('payments.reconcile')
      expect(job.body.refund_requests_released).toBe(0)
      await balanced(p, heldId)
    })

    it('Paystack made it while the retry was on its way: the refusal of the second is matched, not recorded as a failure', async () => {
      // A full refund: the late first attempt lands (timeout + 1.5 s) after the retry looked at
      // Paystack's list and before the retry's own call is answered (held 3 s), so Paystack
      // refuses the retry ("fully reversed"), and that refusal must not fail the refund it made.
      const { p, refund, heldId } = await refundCase(async (op) => {
        await sandbox('POST', '/__control/faults', { operation: op, kind: 'slow', delayMs: TIMEOUT_MS + 1500 })
        await sandbox('POST', '/__control/faults', { operation: op, kind: 'slow', delayMs: 3000 })
      }, PAID)
      const retry = await refund()
      expect(retry.status, JSON.stringify(retry.body)).toBe(201)
      expect(retry.body.refund).toMatchObject({ refund_id: heldId, amount: PAID })
      await balanced(p, heldId, PAID)
    })
  })
})
