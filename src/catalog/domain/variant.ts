import type { Brand } from '../../shared/brand.ts'
import type { Money } from '../../shared/money.ts'

export type ProductId = Brand<string, 'ProductId'>
export type VariantId = Brand<string, 'VariantId'>

export type ProductStatus = 'active' | 'archived'

export interface Product {
  readonly id: ProductId
  readonly name: string
  readonly description: string
  readonly status: ProductStatus
  readonly variants: readonly Variant[]
}

export interface Variant {
  readonly id: VariantId
  readonly productId: ProductId
  readonly sku: string
  readonly name: string
  readonly price: Money
  /** Units on hand (sold units have left). */
  readonly stock: number
  /** What can be bought now: on hand minus unexpired active reservations. */
  readonly available: number
  /** Optimistic-lock version of the stock, bumped by every restock and commit. */
  readonly version: number
  /** False when its product is archived: it can no longer be put in a cart or ordered. */
  readonly purchasable: boolean
}

/** Largest quantity of one variant a cart line or order line may hold. */
export const MAX_LINE_QUANTITY = 99
