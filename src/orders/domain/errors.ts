import { domainError } from '../../shared/result.ts'

export const orderErrors = {
  notFound: (id: string) => domainError('ORDER_NOT_FOUND', `No order ${id}`, { order_id: id }),
  cartEmpty: () => domainError('CART_EMPTY', 'The cart is empty: add items or send them with the order'),
  variantNotFound: (id: string) => domainError('VARIANT_NOT_FOUND', `No variant ${id}`, { variant_id: id }),
  notPurchasable: (id: string) => domainError('VARIANT_NOT_PURCHASABLE', `Variant ${id} can no longer be bought`, { variant_id: id }),
  currencyMismatch: (currencies: readonly string[]) =>
    domainError('CURRENCY_MISMATCH', `An order is paid in one currency; these lines use ${currencies.join(', ')}`, {
      currencies,
    }),
  outOfStock: (line: { variant_id: string; sku: string; requested: number; available: number }) =>
    domainError('OUT_OF_STOCK', `Not enough stock for ${line.sku}: ${line.requested} requested, ${line.available} available`, line),
  notCancellable: (id: string, status: string) =>
    domainError('ORDER_NOT_CANCELLABLE', `Order ${id} is ${status}; only an unpaid order can be cancelled`, {
      order_id: id,
      status,
    }),
}

export type OrderError = ReturnType<(typeof orderErrors)[keyof typeof orderErrors]>
export type OrderErrorCode = OrderError['code']
