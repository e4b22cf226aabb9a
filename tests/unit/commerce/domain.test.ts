import { describe, expect, it } from 'vitest'
import type { VariantId } from '../../../src/catalog/domain/variant.ts'
import { lineCap, mergeLines } from '../../../src/carts/domain/cart.ts'
import { reservationLifecycle } from '../../../src/inventory/domain/reservation.ts'
import { orderLifecycle } from '../../../src/orders/domain/order.ts'

const v = (s: string) => s as VariantId

describe('cart merge (seed 004 §5)', () => {
  const caps: Record<string, number> = { a: 10, b: 10, c: 4, gone: 0 }
  const capOf = (id: VariantId) => caps[id] ?? 0

  it('adds quantities for the same variant and appends new ones', () => {
    const merged = mergeLines(
      [{ variantId: v('a'), quantity: 1 }],
      [
        { variantId: v('a'), quantity: 2 },
        { variantId: v('b'), quantity: 1 },
      ],
      capOf,
    )
    expect(merged).toEqual([
      { variantId: 'a', quantity: 3 },
      { variantId: 'b', quantity: 1 },
    ])
  })

  it('caps what the guest adds at what can be bought, never lowering the user line', () => {
    expect(mergeLines([{ variantId: v('c'), quantity: 3 }], [{ variantId: v('c'), quantity: 3 }], capOf)).toEqual([
      { variantId: 'c', quantity: 4 },
    ])
    expect(mergeLines([{ variantId: v('c'), quantity: 6 }], [{ variantId: v('c'), quantity: 1 }], capOf)).toEqual([
      { variantId: 'c', quantity: 6 },
    ])
  })

  it('drops guest lines that cannot be bought at all', () => {
    expect(mergeLines([], [{ variantId: v('gone'), quantity: 2 }], capOf)).toEqual([])
  })

  it('caps a line at 99 and at zero for unpurchasable variants', () => {
    expect(lineCap(500, true)).toBe(99)
    expect(lineCap(5, false)).toBe(0)
    expect(lineCap(-3, true)).toBe(0)
  })
})

describe('lifecycles', () => {
  it('orders: paid only from awaiting payment or (late payment) expired; refunds only after payment', () => {
    expect(orderLifecycle.transition('awaiting_payment', 'pay')).toEqual({ ok: true, value: 'paid' })
    expect(orderLifecycle.can('expired', 'pay')).toBe(true)
    expect(orderLifecycle.can('cancelled', 'pay')).toBe(false)
    expect(orderLifecycle.can('paid', 'cancel')).toBe(false)
    expect(orderLifecycle.can('awaiting_payment', 'refund_all')).toBe(false)
    expect(orderLifecycle.transition('refunded', 'refund_part').ok).toBe(false)
    expect([...orderLifecycle.terminal].sort()).toEqual(['cancelled', 'refunded'])
  })

  it('reservations: committed is final; only a lapsed or released one may be reactivated', () => {
    expect(reservationLifecycle.can('active', 'commit')).toBe(true)
    expect(reservationLifecycle.can('committed', 'release')).toBe(false)
    expect(reservationLifecycle.can('expired', 'reactivate')).toBe(true)
    expect(reservationLifecycle.can('committed', 'reactivate')).toBe(false)
    expect([...reservationLifecycle.terminal]).toEqual(['committed'])
  })
})
