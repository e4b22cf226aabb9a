import { describe, expect, it } from 'vitest'
import type { Payment, PaymentId, PaymentReference, VerifiedCharge } from '../../../src/payments/domain/payment.ts'
import { decideRefundAnswer, type RefundState } from '../../../src/payments/domain/refund-answer.ts'
import { decideSettlement, type ChargeSnapshot } from '../../../src/payments/domain/settlement.ts'
import { money } from '../../../src/shared/money.ts'

const payment = (over: Partial<Payment> = {}): Payment => ({
  id: 'pay_1' as PaymentId,
  orderId: 'ord_1',
  userId: 'usr_1',
  reference: 'TXN-1' as PaymentReference,
  amount: money(5000, 'NGN'),
  status: 'initialized',
  email: 'p@example.test',
  authorizationUrl: null,
  createdAt: new Date(0),
  ...over,
})
const charge = (over: Partial<VerifiedCharge> = {}): VerifiedCharge => ({
  reference: 'TXN-1',
  status: 'success',
  amount: 5000,
  currency: 'NGN',
  gatewayTransactionId: 'g1',
  paidAt: null,
  ...over,
})
const snap = (over: Partial<ChargeSnapshot> = {}): ChargeSnapshot => ({
  payment: payment(),
  order: { id: 'ord_1', status: 'awaiting_payment' },
  reservations: [{ variantId: 'var_a', quantity: 2, status: 'active', available: 0 }],
  ...over,
})

describe('decideSettlement (the charge and the late payment, decided before the one write)', () => {
  it('fulfils an order whose reservations are active, committing each', () => {
    expect(decideSettlement(snap(), charge())).toEqual({
      kind: 'fulfil',
      orderId: 'ord_1',
      from: 'awaiting_payment',
      lines: [{ variantId: 'var_a', quantity: 2, from: 'active' }],
      lineCount: 1,
      reactivated: [],
    })
  })

  it('a late payment takes free stock again, else is refunded', () => {
    const late = snap({
      order: { id: 'ord_1', status: 'expired' },
      reservations: [{ variantId: 'var_a', quantity: 2, status: 'expired', available: 2 }],
    })
    expect(decideSettlement(late, charge())).toMatchObject({
      kind: 'fulfil',
      from: 'expired',
      lines: [{ from: 'expired' }],
      reactivated: ['var_a'],
    })
    const gone = snap({ reservations: [{ variantId: 'var_a', quantity: 2, status: 'expired', available: 1 }] })
    expect(decideSettlement(gone, charge())).toEqual({ kind: 'refund', why: 'stock unavailable (insufficient_stock)' })
  })

  it('refunds an order that is missing, cancelled or without reservations', () => {
    expect(decideSettlement(snap({ order: null }), charge())).toEqual({ kind: 'refund', why: 'order missing' })
    expect(decideSettlement(snap({ order: { id: 'ord_1', status: 'cancelled' } }), charge())).toEqual({
      kind: 'refund',
      why: 'order cancelled',
    })
    expect(decideSettlement(snap({ reservations: [] }), charge())).toEqual({ kind: 'refund', why: 'stock unavailable (no_reservations)' })
  })

  it('skips lines already committed, and leaves mismatches, failures and settled payments alone', () => {
    const mixed = snap({
      reservations: [
        { variantId: 'var_a', quantity: 1, status: 'committed', available: 0 },
        { variantId: 'var_b', quantity: 1, status: 'active', available: 0 },
      ],
    })
    expect(decideSettlement(mixed, charge())).toMatchObject({ lines: [{ variantId: 'var_b' }], lineCount: 2 })
    expect(decideSettlement(snap(), charge({ amount: 100 })).kind).toBe('mismatch')
    expect(decideSettlement(snap(), charge({ status: 'failed' })).kind).toBe('failed')
    expect(decideSettlement(snap({ payment: payment({ status: 'paid' }) }), charge()).kind).toBe('already_settled')
  })
})

describe('decideRefundAnswer', () => {
  const state = (over: Partial<RefundState> = {}): RefundState => ({
    refund: { id: 'rfd_1', status: 'requested', amount: 2000 },
    payment: payment({ status: 'paid' }),
    order: { id: 'ord_1', status: 'paid' },
    acceptedOthers: 0,
    ...over,
  })

  it('an accepted part refund makes payment and order partially refunded; the last part, refunded', () => {
    expect(decideRefundAnswer(state(), { accepted: true, gatewayRefundId: 'r1', status: 'pending' })).toEqual({
      kind: 'accept',
      to: 'pending',
      payment: { from: 'paid', to: 'partially_refunded' },
      order: { id: 'ord_1', from: 'paid', to: 'partially_refunded' },
    })
    const last = state({
      payment: payment({ status: 'partially_refunded' }),
      order: { id: 'ord_1', status: 'partially_refunded' },
      acceptedOthers: 3000,
    })
    expect(decideRefundAnswer(last, { accepted: true, gatewayRefundId: 'r2', status: 'pending' })).toMatchObject({
      payment: { from: 'partially_refunded', to: 'refunded' },
      order: { to: 'refunded' },
    })
  })

  it('a refusal fails the refund; an answer for a refund that moved on changes nothing', () => {
    expect(decideRefundAnswer(state(), { accepted: false, message: 'no' })).toEqual({ kind: 'reject', to: 'failed' })
    const moved = state({ refund: { id: 'rfd_1', status: 'processed', amount: 2000 } })
    expect(decideRefundAnswer(moved, { accepted: true, gatewayRefundId: 'r1', status: 'pending' })).toEqual({ kind: 'none' })
    expect(decideRefundAnswer(moved, { accepted: false, message: 'no' })).toEqual({ kind: 'none' })
  })
})
