import { describe, expect, it } from 'vitest'
import {
  ACTIONS,
  comparePayPay,
  comparePaystackPayment,
  comparePaystackRefunds,
  compareZaloPayRefund,
  compareZaloPaySession,
  type ZaloPayOrderSeen,
} from '../../../src/reconciliation/domain/mismatch.ts'

const payment = { id: 'pay_1', orderId: 'ord_1', reference: 'TXN-1', amount: 5000, currency: 'NGN' }
const kinds = (ms: Array<{ kind: string }>) => ms.map((m) => m.kind)

describe('reconciliation rules', () => {
  it('Paystack payments: a charge settled there but not here, and the reverse, are mismatches; in-flight ones are not', () => {
    const success = { found: true as const, status: 'success', amount: 5000, currency: 'NGN' }
    expect(comparePaystackPayment({ ...payment, status: 'initialized' }, success)).toEqual([
      expect.objectContaining({ kind: 'paystack_payment_status', ours: 'initialized', gateway: 'success' }),
    ])
    expect(
      comparePaystackPayment({ ...payment, status: 'initialized' }, { found: true, status: 'abandoned', amount: 5000, currency: 'NGN' }),
    ).toEqual([])
    expect(comparePaystackPayment({ ...payment, status: 'paid' }, success)).toEqual([])
    expect(comparePaystackPayment({ ...payment, status: 'refunded' }, { ...success, status: 'reversed' })).toEqual([])
    expect(kinds(comparePaystackPayment({ ...payment, status: 'paid' }, { ...success, status: 'reversed' }))).toEqual([
      'paystack_payment_status',
    ])
    expect(kinds(comparePaystackPayment({ ...payment, status: 'paid' }, { found: false }))).toEqual(['paystack_payment_status'])
    expect(kinds(comparePaystackPayment({ ...payment, status: 'failed' }, success))).toEqual(['paystack_payment_status'])
    expect(kinds(comparePaystackPayment({ ...payment, status: 'needs_review' }, { ...success, amount: 4000 }))).toEqual([
      'paystack_payment_amount',
    ])
    expect(comparePaystackPayment({ ...payment, status: 'initialized' }, { found: false })).toEqual([])
  })

  it('Paystack refunds: status, amount, missing on either side; unanswered holds are skipped', () => {
    const ours = [
      { id: 'ref_1', paymentId: 'pay_1', status: 'pending', amount: 100, gatewayRefundId: '1' },
      { id: 'ref_2', paymentId: 'pay_1', status: 'processed', amount: 200, gatewayRefundId: '2' },
      { id: 'ref_3', paymentId: 'pay_1', status: 'processed', amount: 300, gatewayRefundId: '3' },
      { id: 'ref_4', paymentId: 'pay_1', status: 'requested', amount: 50, gatewayRefundId: null },
    ]
    const theirs = [
      { gatewayRefundId: '1', amount: 100, status: 'processed' },
      { gatewayRefundId: '2', amount: 250, status: 'processed' },
      { gatewayRefundId: '9', amount: 10, status: 'needs-attention' },
    ]
    expect(comparePaystackRefunds(payment, ours, theirs)).toEqual([
      expect.objectContaining({ kind: 'paystack_refund_status', refundId: 'ref_1', ours: 'pending', gateway: 'processed' }),
      expect.objectContaining({ kind: 'paystack_refund_amount', refundId: 'ref_2', oursAmount: 200, gatewayAmount: 250 }),
      expect.objectContaining({ kind: 'paystack_refund_missing_at_gateway', refundId: 'ref_3' }),
      expect.objectContaining({ kind: 'paystack_refund_unknown_to_us', gatewayRefundId: '9', gateway: 'needs_attention' }),
    ])
  })

  it('ZaloPay: paid there but open here (unless refunded), PAID here but not there, amounts, refunds', () => {
    const s = { id: 'pms_1', appTransId: '261127_X', amount: 100, refunded: false }
    const paid: ZaloPayOrderSeen = { status: 'paid', amount: 100, transactionId: '9' }
    expect(kinds(compareZaloPaySession({ ...s, status: 'PENDING' }, paid))).toEqual(['zalopay_session_status'])
    expect(compareZaloPaySession({ ...s, status: 'EXPIRED', refunded: true }, paid)).toEqual([])
    expect(compareZaloPaySession({ ...s, status: 'PAID' }, paid)).toEqual([])
    expect(kinds(compareZaloPaySession({ ...s, status: 'PAID' }, { ...paid, amount: 90 }))).toEqual(['zalopay_session_amount'])
    expect(kinds(compareZaloPaySession({ ...s, status: 'PAID' }, { status: 'pending' }))).toEqual(['zalopay_session_status'])
    expect(compareZaloPaySession({ ...s, status: 'PENDING' }, { status: 'pending' })).toEqual([])
    expect(kinds(compareZaloPaySession({ ...s, status: 'PENDING' }, { status: 'expired' }))).toEqual(['zalopay_session_status'])
    const r = { id: 'zrf_1', sessionId: 'pms_1', mRefundId: 'm', amount: 100 }
    expect(compareZaloPayRefund({ ...r, status: 'SUCCEEDED' }, 'succeeded')).toEqual([])
    expect(compareZaloPayRefund({ ...r, status: 'PENDING' }, 'processing')).toEqual([])
    expect(kinds(compareZaloPayRefund({ ...r, status: 'PROCESSING' }, 'succeeded'))).toEqual(['zalopay_refund_status'])
  })

  it('PayPay: accepted here but final there, failed here but paid there, amounts; reversals likewise', () => {
    const cb = { merchantCashbackId: 'pcb_1', userId: 'u', amount: 400 }
    expect(
      kinds(comparePayPay({ ...cb, status: 'accepted' }, { found: true, status: 'FAILURE', amount: 400, failureCode: 'NOT_ENOUGH_MONEY' })),
    ).toEqual(['paypay_cashback_status'])
    expect(kinds(comparePayPay({ ...cb, status: 'failed' }, { found: true, status: 'SUCCESS', amount: 400, failureCode: null }))).toEqual([
      'paypay_cashback_status',
    ])
    expect(comparePayPay({ ...cb, status: 'failed' }, { found: false })).toEqual([])
    expect(comparePayPay({ ...cb, status: 'requested' }, { found: false })).toEqual([])
    expect(
      kinds(comparePayPay({ ...cb, status: 'succeeded' }, { found: true, status: 'SUCCESS', amount: 300, failureCode: null })),
    ).toEqual(['paypay_cashback_amount'])
    expect(kinds(comparePayPay({ ...cb, status: 'succeeded', merchantCashbackReversalId: 'pcr_1' }, { found: false }))).toEqual([
      'paypay_reversal_status',
    ])
  })

  it('every kind has an action', () => {
    for (const action of Object.values(ACTIONS)) expect(action.length).toBeGreaterThan(10)
  })
})
