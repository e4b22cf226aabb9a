import { describe, expect, it } from 'vitest'
import { createZaloPayPayment } from '../../../src/bookings/use-cases/create-payment.ts'
import { reconcilePayments } from '../../../src/bookings/use-cases/payment-status.ts'
import { settlePayment } from '../../../src/bookings/use-cases/settle-payment.ts'
import { handleZaloPayCallback } from '../../../src/bookings/use-cases/zalopay-callback.ts'
import { fixture } from './fakes.ts'

const request = (over: Record<string, unknown> = {}) => ({
  userId: 'winner',
  auctionId: 'auc_1',
  selectedNights: ['2030-06-02', '2030-06-01'],
  amount: 2_000_000,
  orderInfo: 'Booking for Villa',
  guestCount: 2,
  requestId: 'req_1',
  ...over,
})

const paid = (amount = 2_000_000) => ({
  status: 'paid' as const,
  amount,
  transactionId: '300501000000001',
  paidAt: new Date('2030-05-01T03:01:00Z'),
})

describe('create a ZaloPay payment', () => {
  it('sends the award’s amount with the key fields ZaloPay needs, and lands the user on the session page', async () => {
    const f = fixture()
    const r = await createZaloPayPayment(f.deps, request())
    expect(r.ok).toBe(true)
    if (!r.ok) return
    const s = r.value.session
    expect(s).toMatchObject({ status: 'PENDING', amount: 2_000_000, orderUrl: 'https://zp.test/pay/1', guestCount: 2 })
    expect(s.appTransId).toMatch(/^300501_[0-9A-Z]{26}$/)
    const [order] = f.gateway.orders
    expect(order).toMatchObject({
      appTransId: s.appTransId,
      amount: 2_000_000,
      appUser: 'winner',
      callbackUrl: 'https://api.test/cb',
      expireSeconds: 900,
    })
    expect(JSON.parse(order!.embedData)).toEqual({ redirecturl: `https://fe.test/dashboard/payment/zalopay/${s.id}` })
    expect(f.pushed.map((p) => p.event)).toEqual([{ type: 'PAYMENT_STATUS', paymentId: s.id, userId: 'winner', status: 'INITIATED' }])
  })

  it('never trusts the client: amount and nights must equal the award, only its holder may pay, before the deadline', async () => {
    const f = fixture()
    const codes = async (over: Record<string, unknown>) => {
      const r = await createZaloPayPayment(f.deps, request(over))
      return r.ok ? 'ok' : r.error.code
    }
    expect(await codes({ amount: 1 })).toBe('AMOUNT_MISMATCH')
    expect(await codes({ amount: 2_000_001 })).toBe('AMOUNT_MISMATCH')
    expect(await codes({ selectedNights: ['2030-06-01'] })).toBe('NIGHTS_MISMATCH')
    expect(await codes({ userId: 'someone-else' })).toBe('AWARD_NOT_FOUND')
    expect(await codes({ auctionId: 'auc_nope' })).toBe('AUCTION_NOT_FOUND')
    expect(await codes({ guestCount: 5 })).toBe('GUEST_COUNT_EXCEEDED')
    f.clock.advance(2 * 3600_000)
    expect(await codes({})).toBe('PAYMENT_DEADLINE_PASSED')
    expect(f.gateway.orders).toHaveLength(0)
  })

  it('a retry returns the open session: one ZaloPay order; after a lost answer it re-sends the same app_trans_id', async () => {
    const f = fixture()
    const first = await createZaloPayPayment(f.deps, request())
    const again = await createZaloPayPayment(f.deps, request())
    expect(again.ok && first.ok && again.value.session.id === first.value.session.id).toBe(true)
    expect(again.ok && again.value.created).toBe(false)
    expect(f.gateway.orders).toHaveLength(1)

    const g = fixture()
    g.gateway.nextCreate = new Error('network')
    await expect(createZaloPayPayment(g.deps, request())).rejects.toThrow('network')
    g.gateway.nextCreate = { ok: true, orderUrl: 'https://zp.test/pay/2', zpTransToken: 't2' }
    const resent = await createZaloPayPayment(g.deps, request())
    expect(resent.ok).toBe(true)
    expect(g.gateway.orders.map((o) => o.appTransId)).toEqual([g.gateway.orders[0]!.appTransId, g.gateway.orders[0]!.appTransId])
    expect(g.store.sessions.size).toBe(1)
  })

  it('a paid award cannot be paid again', async () => {
    const f = fixture()
    const r = await createZaloPayPayment(f.deps, request())
    if (!r.ok) throw new Error('setup')
    await settlePayment(f.deps, r.value.session, paid(), { source: 'callback', requestId: 'r' })
    const again = await createZaloPayPayment(f.deps, request())
    expect(!again.ok && again.error.code).toBe('ALREADY_PAID')
  })
})

describe('settle: the one path for callback, status endpoint and job', () => {
  async function pending() {
    const f = fixture()
    const r = await createZaloPayPayment(f.deps, request())
    if (!r.ok) throw new Error('setup')
    f.pushed.length = 0
    return { ...f, session: r.value.session }
  }

  it('applies PAID once: the award is paid, COMPLETED is pushed and the booking job queued once', async () => {
    const f = await pending()
    const a = await settlePayment(f.deps, f.session, paid(), { source: 'callback', requestId: 'r' })
    const b = await settlePayment(f.deps, f.session, paid(), { source: 'status', requestId: 'r' })
    expect(a).toMatchObject({ applied: true, session: { status: 'PAID', transactionId: '300501000000001' } })
    expect(b).toMatchObject({ applied: false, session: { status: 'PAID' } })
    expect(f.store.awards.get('awd_1')!.status).toBe('PAID')
    expect(f.pushed.map((p) => p.event)).toEqual([
      { type: 'PAYMENT_STATUS', paymentId: f.session.id, userId: 'winner', status: 'COMPLETED', transactionId: '300501000000001' },
    ])
    expect(f.jobs).toEqual([
      { name: 'bookings.create-booking', payload: { sessionId: f.session.id }, deduplicationId: `create-booking-${f.session.id}` },
    ])
  })

  it('refuses FAILED after PAID through the table: nothing changes', async () => {
    const f = await pending()
    const { session } = await settlePayment(f.deps, f.session, paid(), { source: 'callback', requestId: 'r' })
    for (const status of ['failed', 'cancelled', 'expired'] as const) {
      const r = await settlePayment(f.deps, session, { status, subCode: -301 }, { source: 'reconcile', requestId: 'r' })
      expect(r).toMatchObject({ applied: false, session: { status: 'PAID' } })
    }
    expect(f.store.sessions.get(f.session.id)!.status).toBe('PAID')
  })

  it('a different paid amount fails the session and refunds what was paid; money after expiry is refunded', async () => {
    const f = await pending()
    const r = await settlePayment(f.deps, f.session, paid(1_999_000), { source: 'callback', requestId: 'r' })
    expect(r).toMatchObject({ applied: true, refunded: 'AMOUNT_MISMATCH', session: { status: 'FAILED', failureReason: 'AMOUNT_MISMATCH' } })
    expect([...f.store.refunds.values()]).toMatchObject([{ amount: 1_999_000, reason: 'AMOUNT_MISMATCH', status: 'PENDING' }])
    expect(f.pushed.at(-1)!.event).toMatchObject({ status: 'FAILED' })

    const g = await pending()
    g.clock.advance(16 * 60_000)
    const expired = await settlePayment(g.deps, g.session, { status: 'pending' }, { source: 'reconcile', requestId: 'r' })
    expect(expired.session.status).toBe('EXPIRED')
    const late = await settlePayment(g.deps, expired.session, paid(), { source: 'callback', requestId: 'r' })
    expect(late).toMatchObject({ applied: false, refunded: 'LATE_PAYMENT', session: { status: 'EXPIRED' } })
    expect(g.store.awards.get('awd_1')!.status).toBe('AWARDED')
  })

  it('the callback: a bad MAC gets -1 and changes nothing; a good one is confirmed by the query API', async () => {
    const f = await pending()
    f.gateway.callback = { ok: false, reason: 'mac' }
    expect(await handleZaloPayCallback(f.deps, '{}', 'r')).toEqual({ return_code: -1, return_message: 'mac not equal' })
    expect(f.gateway.queries).toBe(0)
    expect(f.store.callbacks.size).toBe(0)
    f.gateway.callback = { ok: true, appTransId: f.session.appTransId, transactionId: '300501000000001', amount: 1, data: {} }
    f.gateway.observation = { status: 'pending' }
    expect(await handleZaloPayCallback(f.deps, '{}', 'r')).toEqual({ return_code: 0, return_message: 'payment not confirmed yet' })
    f.gateway.observation = paid()
    expect((await handleZaloPayCallback(f.deps, '{}', 'r')).return_code).toBe(1)
    expect(f.store.sessions.get(f.session.id)).toMatchObject({ status: 'PAID', amount: 2_000_000 })
    expect(await handleZaloPayCallback(f.deps, '{}', 'r')).toEqual({ return_code: 1, return_message: 'duplicate' })
    expect(f.gateway.queries).toBe(2)
  })

  it('the scheduled job settles sessions that waited too long, through the same path', async () => {
    const f = await pending()
    f.gateway.observation = paid()
    expect((await reconcilePayments(f.deps)).checked).toBe(0)
    f.clock.advance(61_000)
    expect(await reconcilePayments(f.deps)).toMatchObject({ checked: 1, paid: 1 })
    expect(f.store.sessions.get(f.session.id)!.status).toBe('PAID')
    expect(f.store.audit.at(-1)!.data).toMatchObject({ source: 'reconcile' })
  })
})
