import { domainError } from '../../shared/result.ts'

export const cartErrors = {
  variantNotFound: (id: string) => domainError('VARIANT_NOT_FOUND', `No variant ${id}`, { variant_id: id }),
  notPurchasable: (id: string) => domainError('VARIANT_NOT_PURCHASABLE', `Variant ${id} can no longer be bought`, { variant_id: id }),
  insufficientStock: (id: string, available: number) =>
    domainError('INSUFFICIENT_STOCK', `Only ${available} of variant ${id} can be bought now`, {
      variant_id: id,
      available,
    }),
}

export type CartError = ReturnType<(typeof cartErrors)[keyof typeof cartErrors]>
export type CartErrorCode = CartError['code']
