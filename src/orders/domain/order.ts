import type { VariantId } from '../../catalog/domain/variant.ts'
import type { Brand } from '../../shared/brand.ts'
import type { Money } from '../../shared/money.ts'
import { defineStateMachine } from '../../shared/state-machine.ts'

export type OrderId = Brand<string, 'OrderId'>

export const ORDER_STATUSES = ['awaiting_payment', 'paid', 'cancelled', 'expired', 'partially_refunded', 'refunded'] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]
export type OrderEvent = 'pay' | 'cancel' | 'expire' | 'refund_part' | 'refund_all'

/**
 * The order lifecycle (seed 004 §1-2). A payment that lands after expiry is `pay` from expired:
 * the payment flow may only do it once the stock has been committed again (else it refunds).
 */
export const orderLifecycle = defineStateMachine<OrderStatus, OrderEvent>('order', ORDER_STATUSES, [
  { from: 'awaiting_payment', event: 'pay', to: 'paid' },
  { from: 'expired', event: 'pay', to: 'paid' },
  { from: 'awaiting_payment', event: 'cancel', to: 'cancelled' },
  { from: 'awaiting_payment', event: 'expire', to: 'expired' },
  { from: ['paid', 'partially_refunded'], event: 'refund_part', to: 'partially_refunded' },
  { from: ['paid', 'partially_refunded'], event: 'refund_all', to: 'refunded' },
])

export interface OrderLine {
  readonly variantId: VariantId
  readonly sku: string
  readonly name: string
  readonly unitPrice: Money
  readonly quantity: number
  readonly lineTotal: Money
}

export interface Order {
  readonly id: OrderId
  readonly userId: string
  readonly status: OrderStatus
  readonly lines: readonly OrderLine[]
  readonly total: Money
  /** When its reservations lapse: an unpaid order expires then. */
  readonly expiresAt: Date
  readonly createdAt: Date
  readonly updatedAt: Date
}
