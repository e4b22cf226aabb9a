import { domainError } from '../../shared/result.ts'

export const paymentErrors = {
  orderNotFound: (id: string) => domainError('ORDER_NOT_FOUND', `No order ${id}`, { order_id: id }),
  orderNotPayable: (id: string, status: string) =>
    domainError('ORDER_NOT_PAYABLE', `Order ${id} is ${status}; only an order awaiting payment can be paid`, { order_id: id, status }),
  orderExpired: (id: string) => domainError('ORDER_EXPIRED', `Order ${id} has expired; place it again`, { order_id: id }),
  initInProgress: (id: string) =>
    domainError('PAYMENT_INIT_IN_PROGRESS', `A payment for order ${id} is being initialized; retry shortly`, { order_id: id }),
  emailRequired: () => domainError('EMAIL_REQUIRED', "Paystack needs the payer's email: send `email`"),
  gateway: (message: string) => domainError('GATEWAY_ERROR', `Paystack refused or failed: ${message}`),
  paymentNotFound: (id: string) => domainError('PAYMENT_NOT_FOUND', `No payment ${id}`, { payment_id: id }),
  notRefundable: (id: string, status: string) =>
    domainError('PAYMENT_NOT_REFUNDABLE', `Payment ${id} is ${status}; only a paid payment can be refunded`, { payment_id: id, status }),
  refundTooLarge: (requested: number, refundable: number) =>
    domainError('REFUND_EXCEEDS_REMAINING', `Refund of ${requested} exceeds the ${refundable} left to refund`, { requested, refundable }),
  currencyMismatch: (expected: string) =>
    domainError('CURRENCY_MISMATCH', `Refunds are in the payment's currency, ${expected}`, { expected }),
}

export type PaymentError = ReturnType<(typeof paymentErrors)[keyof typeof paymentErrors]>
export type PaymentErrorCode = PaymentError['code']
