import { describe, expect, it } from 'vitest'
import type { ProductId, Variant, VariantId } from '../../../src/catalog/domain/variant.ts'
import { priceOrder } from '../../../src/orders/domain/pricing.ts'
import { money } from '../../../src/shared/money.ts'

const v = (s: string) => s as VariantId
const variant = (id: string, price: number, currency = 'NGN', purchasable = true): Variant => ({
  id: v(id),
  productId: 'prd_x' as ProductId,
  sku: `SKU-${id}`,
  name: `Variant ${id}`,
  price: money(price, currency),
  stock: 10,
  available: 10,
  version: 1,
  purchasable,
})
const catalog = (...vs: Variant[]) => new Map(vs.map((x) => [x.id, x]))

describe('order pricing (seed 004 §1; order_place applies the same rules as guards)', () => {
  it('prices each line at the current price and totals them in one currency', () => {
    const out = priceOrder(
      [
        { variantId: v('a'), quantity: 2 },
        { variantId: v('b'), quantity: 1 },
      ],
      catalog(variant('a', 1000), variant('b', 250)),
    )
    expect(out.ok && out.value.total).toEqual(money(2250, 'NGN'))
    expect(out.ok && out.value.lines.map((l) => [l.sku, l.unitPrice.amount, l.lineTotal.amount])).toEqual([
      ['SKU-a', 1000, 2000],
      ['SKU-b', 250, 250],
    ])
  })

  it('refuses no lines, unknown or archived variants, and mixed currencies, in that order', () => {
    const code = (lines: Array<[string, number]>, vs: Variant[]) => {
      const out = priceOrder(
        lines.map(([id, quantity]) => ({ variantId: v(id), quantity })),
        catalog(...vs),
      )
      return out.ok ? 'ok' : out.error.code
    }
    expect(code([], [])).toBe('CART_EMPTY')
    expect(
      code(
        [
          ['a', 1],
          ['gone', 1],
        ],
        [variant('a', 1)],
      ),
    ).toBe('VARIANT_NOT_FOUND')
    expect(code([['a', 1]], [variant('a', 1, 'NGN', false)])).toBe('VARIANT_NOT_PURCHASABLE')
    expect(
      code(
        [
          ['a', 1],
          ['b', 1],
        ],
        [variant('a', 1), variant('b', 1, 'USD')],
      ),
    ).toBe('CURRENCY_MISMATCH')
  })
})
