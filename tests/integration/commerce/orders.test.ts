import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import type { VariantId } from '../../../src/catalog/domain/variant.ts'
import { PostgresInventoryLock } from '../../../src/inventory/adapters/postgres-inventory-lock.ts'
import { PostgresStockCommitter } from '../../../src/inventory/adapters/postgres-stock-committer.ts'
import { ownDb, sharedDb } from '../db.ts'
import { call, token, uniq } from '../helpers.ts'
import { ageOrder, newProduct, stockRow } from './fixtures.ts'
import { runJob } from './jobs.ts'

const order = (t: string, items: Array<{ variant_id: string; quantity: number }>, headers: Record<string, string> = {}) =>
  call('POST', '/api/v1/orders', { token: t, body: { items }, headers })

describe('orders and two-phase inventory', () => {
  it('reserves every line for 15 minutes and answers {order_id, expires_at, total}', async () => {
    const { variants } = await newProduct([
      { stock: 5, price: 1000 },
      { stock: 5, price: 250 },
    ])
    const t = await token(`buyer-${uniq()}`)
    const before = Date.now()
    const res = await order(t, [
      { variant_id: variants[0]!.id, quantity: 2 },
      { variant_id: variants[1]!.id, quantity: 1 },
    ])
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ total: 2250, currency: 'NGN', order: { status: 'awaiting_payment' } })
    expect(res.body.order_id).toMatch(/^ord_/)
    const ttl = Date.parse(res.body.expires_at) - before
    expect(ttl).toBeGreaterThan(14 * 60_000)
    expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 5_000)
    expect(await stockRow(variants[0]!.id)).toMatchObject({ stock: 5, reserved: 2, active: 2 })
  })

  it('reserves nothing when one line cannot be reserved, and says which', async () => {
    const { variants } = await newProduct([{ stock: 5 }, { stock: 1 }])
    const t = await token(`buyer-${uniq()}`)
    const res = await order(t, [
      { variant_id: variants[0]!.id, quantity: 3 },
      { variant_id: variants[1]!.id, quantity: 2 },
    ])
    expect(res.status).toBe(409)
    expect(res.body.error).toMatchObject({
      code: 'OUT_OF_STOCK',
      details: { variant_id: variants[1]!.id, sku: variants[1]!.sku, requested: 2, available: 1 },
    })
    expect(await stockRow(variants[0]!.id)).toMatchObject({ stock: 5, reserved: 0, active: 0 })
    expect(await stockRow(variants[1]!.id)).toMatchObject({ stock: 1, reserved: 0, active: 0 })
  })

  it('orders the cart when no items are sent, and refuses an empty cart or mixed currencies', async () => {
    const { variants } = await newProduct([{ stock: 5, price: 300 }])
    const other = await newProduct([{ stock: 5, currency: 'USD' }])
    const t = await token(`buyer-${uniq()}`)
    expect((await call('POST', '/api/v1/orders', { token: t, body: {} })).body.error.code).toBe('CART_EMPTY')
    await call('POST', '/api/v1/cart/items', { token: t, body: { variant_id: variants[0]!.id, quantity: 2 } })
    const fromCart = await call('POST', '/api/v1/orders', { token: t, body: {} })
    expect(fromCart.status).toBe(201)
    expect(fromCart.body.total).toBe(600)
    const mixed = await order(t, [
      { variant_id: variants[0]!.id, quantity: 1 },
      { variant_id: other.variants[0]!.id, quantity: 1 },
    ])
    expect(mixed.status).toBe(422)
    expect(mixed.body.error.code).toBe('CURRENCY_MISMATCH')
  })

  it('replays a create with the same Idempotency-Key instead of reserving twice', async () => {
    const { variants } = await newProduct([{ stock: 5 }])
    const t = await token(`buyer-${uniq()}`)
    const key = `order-${uniq()}`
    const items = [{ variant_id: variants[0]!.id, quantity: 2 }]
    const [a, b] = [await order(t, items, { 'idempotency-key': key }), await order(t, items, { 'idempotency-key': key })]
    expect(a.status).toBe(201)
    expect(b.status).toBe(201)
    expect(b.headers.get('idempotent-replayed')).toBe('true')
    expect(b.body.order_id).toBe(a.body.order_id)
    expect(await stockRow(variants[0]!.id)).toMatchObject({ reserved: 2 })
  })

  it('replays a refusal under its Idempotency-Key, but not a request that failed validation', async () => {
    const { variants } = await newProduct([{ stock: 1 }])
    const t = await token(`buyer-${uniq()}`)
    const refusedKey = `order-${uniq()}`
    const items = [{ variant_id: variants[0]!.id, quantity: 2 }]
    const refused = await order(t, items, { 'idempotency-key': refusedKey })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('OUT_OF_STOCK')
    const again = await order(t, items, { 'idempotency-key': refusedKey })
    expect(again.status).toBe(409)
    expect(again.headers.get('idempotent-replayed')).toBe('true')

    // A body the API never ran frees its key: the corrected request under the same key runs.
    const invalidKey = `order-${uniq()}`
    const invalid = await order(t, [{ variant_id: variants[0]!.id, quantity: 0 }], { 'idempotency-key': invalidKey })
    expect(invalid.status).toBe(400)
    expect(invalid.body.error.code).toBe('VALIDATION_FAILED')
    const corrected = await order(t, [{ variant_id: variants[0]!.id, quantity: 1 }], { 'idempotency-key': invalidKey })
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(201)
    expect(corrected.headers.get('idempotent-replayed')).toBeNull()
  })

  it('shows users only their own orders (404 otherwise), newest first, paginated', async () => {
    const { variants } = await newProduct([{ stock: 10 }])
    const alice = await token(`alice-${uniq()}`)
    const bob = await token(`bob-${uniq()}`)
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await order(alice, [{ variant_id: variants[0]!.id, quantity: 1 }])).body.order_id)
    expect((await call('GET', `/api/v1/orders/${ids[0]}`, { token: alice })).status).toBe(200)
    const peek = await call('GET', `/api/v1/orders/${ids[0]}`, { token: bob })
    expect(peek.status).toBe(404)
    expect((await call('POST', `/api/v1/orders/${ids[0]}/cancel`, { token: bob })).status).toBe(404)
    expect((await call('GET', `/api/v1/orders/${ids[0]}`)).status).toBe(401)

    const page1 = await call('GET', '/api/v1/orders?limit=2', { token: alice })
    expect(page1.body.orders.map((o: { order_id: string }) => o.order_id)).toEqual([ids[2], ids[1]])
    const page2 = await call('GET', `/api/v1/orders?limit=2&before=${page1.body.next_before}`, { token: alice })
    expect(page2.body.orders.map((o: { order_id: string }) => o.order_id)).toEqual([ids[0]])
    expect((await call('GET', '/api/v1/orders', { token: bob })).body.orders).toEqual([])
  })

  it('cancels an unpaid order and gives its stock back; cancelling again is refused', async () => {
    const { variants } = await newProduct([{ stock: 2 }])
    const t = await token(`buyer-${uniq()}`)
    const o = await order(t, [{ variant_id: variants[0]!.id, quantity: 2 }])
    expect((await order(t, [{ variant_id: variants[0]!.id, quantity: 1 }])).status).toBe(409)
    const cancelled = await call('POST', `/api/v1/orders/${o.body.order_id}/cancel`, { token: t })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.order.status).toBe('cancelled')
    expect(await stockRow(variants[0]!.id)).toMatchObject({ stock: 2, reserved: 0, active: 0 })
    const again = await call('POST', `/api/v1/orders/${o.body.order_id}/cancel`, { token: t })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('ORDER_NOT_CANCELLABLE')
    expect((await order(t, [{ variant_id: variants[0]!.id, quantity: 2 }])).status).toBe(201)
  })

  it('ignores lapsed reservations at read time, before any clean-up runs', async () => {
    const { productId, variants } = await newProduct([{ stock: 3 }])
    const t = await token(`buyer-${uniq()}`)
    const o = await order(t, [{ variant_id: variants[0]!.id, quantity: 3 }])
    expect((await call('GET', `/api/v1/products/${productId}`)).body.product.variants[0].available).toBe(0)
    await ageOrder(o.body.order_id, 16 * 60)
    // Cached reads live 30 s; a restock-free change of name bumps the cache generation.
    await call('PATCH', `/api/admin/variants/${variants[0]!.id}`, { token: await token('admin-x', ['admin']), body: { name: 'renamed' } })
    expect((await call('GET', `/api/v1/products/${productId}`)).body.product.variants[0].available).toBe(3)
    // And a new order gets the stock without waiting for the job.
    const next = await order(await token(`buyer-${uniq()}`), [{ variant_id: variants[0]!.id, quantity: 3 }])
    expect(next.status).toBe(201)
    expect(await stockRow(variants[0]!.id)).toMatchObject({ stock: 3, reserved: 3, active: 3 })
  })

  it('the clean-up job expires lapsed orders and releases their stock, and running it twice at once is safe', async () => {
    const { variants } = await newProduct([{ stock: 4 }])
    const t = await token(`buyer-${uniq()}`)
    const o = await order(t, [{ variant_id: variants[0]!.id, quantity: 4 }])
    await ageOrder(o.body.order_id, 15 * 60 + 1)
    const runs = await Promise.all([runJob('inventory.expire-reservations'), runJob('inventory.expire-reservations')])
    expect(runs.map((r) => r.status)).toEqual([200, 200])
    const view = await call('GET', `/api/v1/orders/${o.body.order_id}`, { token: t })
    expect(view.body.order.status).toBe('expired')
    expect(await stockRow(variants[0]!.id)).toMatchObject({ stock: 4, reserved: 0, active: 0 })
    const db = sharedDb()
    const audits = await db.execute<{ n: number }>(
      sql`select count(*)::integer as n from audit_log where entity_id = ${o.body.order_id} and action = 'order.expired'`,
    )
    expect(audits[0]!.n).toBe(1)
    expect((await call('POST', `/api/v1/orders/${o.body.order_id}/cancel`, { token: t })).status).toBe(409)
  })

  it('commits on payment with the version lock; twice is a no-op; a late commit takes only free stock', async () => {
    const { variants } = await newProduct([{ stock: 3 }])
    const v = variants[0]!.id as VariantId
    const t = await token(`buyer-${uniq()}`)
    const paid = await order(t, [{ variant_id: v, quantity: 2 }])
    const late = await order(t, [{ variant_id: v, quantity: 1 }])
    const db = sharedDb()
    const commit = (orderId: string) => db.transaction((tx) => new PostgresStockCommitter(tx).commit(orderId, new Date()))

    const first = await commit(paid.body.order_id)
    expect(first).toMatchObject({ ok: true, alreadyCommitted: false, reactivated: [] })
    expect(await stockRow(v)).toMatchObject({ stock: 1, reserved: 1, version: 2 })
    expect(await commit(paid.body.order_id)).toMatchObject({ ok: true, alreadyCommitted: true })
    expect(await stockRow(v)).toMatchObject({ stock: 1, reserved: 1, version: 2 })

    // The second order lapses and its unit is bought by someone else before its payment lands.
    await ageOrder(late.body.order_id, 16 * 60)
    expect((await order(await token(`other-${uniq()}`), [{ variant_id: v, quantity: 1 }])).status).toBe(201)
    const refused = await commit(late.body.order_id)
    expect(refused).toMatchObject({ ok: false, reason: 'insufficient_stock', variantId: v, available: 0 })
    expect(await stockRow(v)).toMatchObject({ stock: 1, reserved: 1 })
  })

  it('200 concurrent reservations on a variant with stock 50: exactly 50 succeed (Postgres lock)', async () => {
    const { variants } = await newProduct([{ stock: 50 }])
    const v = variants[0]!.id as VariantId
    const lock = new PostgresInventoryLock(ownDb(20))
    const until = new Date(Date.now() + 15 * 60_000)
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => lock.reserve(`ord_CONC${uniq()}${i}`, [{ variantId: v, quantity: 1 }], until, new Date())),
    )
    expect(outcomes.filter((o) => o.ok)).toHaveLength(50)
    expect(outcomes.filter((o) => !o.ok)).toHaveLength(150)
    expect(await stockRow(v)).toMatchObject({ stock: 50, reserved: 50, active: 50 })
  })

  it('concurrent orders over HTTP never oversell', async () => {
    const { variants } = await newProduct([{ stock: 10 }])
    const v = variants[0]!.id
    const buyers = await Promise.all(Array.from({ length: 40 }, () => token(`crowd-${uniq()}`)))
    const results = await Promise.all(buyers.map((t) => order(t, [{ variant_id: v, quantity: 1 }])))
    const statuses = results.map((r) => r.status)
    expect(statuses.filter((s) => s === 201)).toHaveLength(10)
    expect(statuses.filter((s) => s === 409)).toHaveLength(30)
    expect(await stockRow(v)).toMatchObject({ stock: 10, reserved: 10, active: 10 })
  })

  it('the database refuses a reservation count above stock whatever the application does', async () => {
    const { variants } = await newProduct([{ stock: 1 }])
    const db = sharedDb()
    await expect(db.execute(sql`update product_variants set reserved = 2 where id = ${variants[0]!.id}`)).rejects.toThrow()
    await expect(db.execute(sql`update product_variants set stock = -1 where id = ${variants[0]!.id}`)).rejects.toThrow()
  })
})
