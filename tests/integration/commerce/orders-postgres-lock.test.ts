import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import type { VariantId } from '../../../src/catalog/domain/variant.ts'
import { PostgresOrderPlacement } from '../../../src/orders/adapters/postgres-order-placement.ts'
import type { OrderId } from '../../../src/orders/domain/order.ts'
import { priceOrder } from '../../../src/orders/domain/pricing.ts'
import { ownDb, sharedDb } from '../db.ts'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { newProduct, stockRow } from './fixtures.ts'
import { callWithPostgresLock } from './postgres-lock.ts'

const order = (t: string, items: Array<{ variant_id: string; quantity: number }> | undefined, headers: Record<string, string> = {}) =>
  callWithPostgresLock('POST', '/api/v1/orders', { token: t, body: items ? { items } : {}, headers })

/** Placement in one statement (order_place): the same answers as with the Durable Object lock. */
describe('orders with the Postgres lock (one statement)', () => {
  it('reserves every line, records the order, its lines and its audit entry', async () => {
    const { variants } = await newProduct([
      { stock: 5, price: 1000 },
      { stock: 5, price: 250 },
    ])
    const t = await token(`buyer-${uniq()}`)
    const res = await order(t, [
      { variant_id: variants[0]!.id, quantity: 2 },
      { variant_id: variants[1]!.id, quantity: 1 },
      { variant_id: variants[0]!.id, quantity: 1 },
    ])
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ total: 3250, currency: 'NGN', order: { status: 'awaiting_payment' } })
    expect(await stockRow(variants[0]!.id)).toMatchObject({ stock: 5, reserved: 3, active: 3 })
    const view = await call('GET', `/api/v1/orders/${res.body.order_id}`, { token: t })
    expect(view.body.order).toEqual(res.body.order)
    const db = sharedDb()
    const [audit] = await db.execute<{ data: Record<string, unknown> }>(
      sql`select data from audit_log where entity_id = ${res.body.order_id} and action = 'order.created'`,
    )
    expect(audit!.data).toEqual({ total: 3250, currency: 'NGN', lines: 2 })
  })

  it('answers 409 OUT_OF_STOCK naming the line and reserves nothing', async () => {
    const { variants } = await newProduct([{ stock: 5 }, { stock: 1 }])
    const res = await order(await token(`buyer-${uniq()}`), [
      { variant_id: variants[0]!.id, quantity: 3 },
      { variant_id: variants[1]!.id, quantity: 2 },
    ])
    expect(res.status).toBe(409)
    expect(res.body.error).toMatchObject({
      code: 'OUT_OF_STOCK',
      details: { variant_id: variants[1]!.id, sku: variants[1]!.sku, requested: 2, available: 1 },
    })
    expect(await stockRow(variants[0]!.id)).toMatchObject({ reserved: 0, active: 0 })
  })

  it('orders the cart; refuses an empty cart, unknown or archived variants and mixed currencies', async () => {
    const { productId, variants } = await newProduct([{ stock: 5, price: 300 }])
    const other = await newProduct([{ stock: 5, currency: 'USD' }])
    const t = await token(`buyer-${uniq()}`)
    expect((await order(t, undefined)).body.error.code).toBe('CART_EMPTY')
    await call('POST', '/api/v1/cart/items', { token: t, body: { variant_id: variants[0]!.id, quantity: 2 } })
    const fromCart = await order(t, undefined)
    expect(fromCart.status).toBe(201)
    expect(fromCart.body.total).toBe(600)
    const mixed = await order(t, [
      { variant_id: variants[0]!.id, quantity: 1 },
      { variant_id: other.variants[0]!.id, quantity: 1 },
    ])
    expect([mixed.status, mixed.body.error.code]).toEqual([422, 'CURRENCY_MISMATCH'])
    const unknown = await order(t, [{ variant_id: 'var_01ARZ3NDEKTSV4RRFFQ69G5FAV', quantity: 1 }])
    expect([unknown.status, unknown.body.error.code]).toEqual([422, 'VARIANT_NOT_FOUND'])
    await call('PATCH', `/api/admin/products/${productId}`, { token: await adminToken(), body: { status: 'archived' } })
    const archived = await order(t, [{ variant_id: variants[0]!.id, quantity: 1 }])
    expect([archived.status, archived.body.error.code]).toEqual([422, 'VARIANT_NOT_PURCHASABLE'])
    expect(await stockRow(variants[0]!.id)).toMatchObject({ reserved: 2, active: 2 })
  })

  it('replays a create with the same Idempotency-Key instead of reserving twice', async () => {
    const { variants } = await newProduct([{ stock: 5 }])
    const t = await token(`buyer-${uniq()}`)
    const headers = { 'idempotency-key': `order-${uniq()}` }
    const items = [{ variant_id: variants[0]!.id, quantity: 2 }]
    const a = await order(t, items, headers)
    const b = await order(t, items, headers)
    expect([a.status, b.status]).toEqual([201, 201])
    expect(b.headers.get('idempotent-replayed')).toBe('true')
    expect(b.body.order_id).toBe(a.body.order_id)
    expect(await stockRow(variants[0]!.id)).toMatchObject({ reserved: 2 })
  })

  it('200 concurrent placements on a variant with stock 50: exactly 50 orders', async () => {
    const { variants } = await newProduct([{ stock: 50 }])
    const v = variants[0]!.id as VariantId
    const placement = new PostgresOrderPlacement(ownDb(10))
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const now = new Date()
        const orderId = `ord_PG${uniq()}${i}` as OrderId
        return placement.place(
          {
            orderId,
            userId: `crowd-${i}`,
            items: [{ variantId: v, quantity: 1 }],
            until: new Date(now.getTime() + 15 * 60_000),
            now,
            audit: { actor: `crowd-${i}`, action: 'order.created', entityType: 'order', entityId: orderId, requestId: 'test', at: now },
          },
          priceOrder,
        )
      }),
    )
    expect(outcomes.filter((o) => o.ok)).toHaveLength(50)
    expect(outcomes.filter((o) => !o.ok && 'outOfStock' in o && o.outOfStock.available === 0)).toHaveLength(150)
    expect(await stockRow(v)).toMatchObject({ stock: 50, reserved: 50, active: 50 })
    const db = sharedDb()
    const [n] = await db.execute<{ n: number }>(sql`select count(*)::integer as n from order_lines where variant_id = ${v}`)
    expect(n!.n).toBe(50)
  })

  it('concurrent orders over HTTP never oversell', async () => {
    // Each request opens its own connection (the Worker's way): 20 at once stays well inside a
    // Postgres shared with the rest of the run.
    const { variants } = await newProduct([{ stock: 5 }])
    const buyers = await Promise.all(Array.from({ length: 20 }, () => token(`crowd-${uniq()}`)))
    const results = await Promise.all(buyers.map((t) => order(t, [{ variant_id: variants[0]!.id, quantity: 1 }])))
    expect(results.filter((r) => r.status === 201)).toHaveLength(5)
    expect(results.filter((r) => r.status === 409)).toHaveLength(15)
    expect(await stockRow(variants[0]!.id)).toMatchObject({ stock: 5, reserved: 5, active: 5 })
  })
})
