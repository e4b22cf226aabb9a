import { describe, expect, it } from 'vitest'
import { newProduct } from '../integration/commerce/fixtures.ts'
import { callWithPostgresLock } from '../integration/commerce/postgres-lock.ts'
import { call, token, uniq } from '../integration/helpers.ts'
import { expectBudget } from './commerce-budget.ts'
import { measure } from './round-trips.ts'

/**
 * POST /api/v1/orders, both inventory locks (the Worker's env picks one; the Postgres lock's
 * requests enter the same Worker with INVENTORY_LOCK=postgres):
 * - Postgres lock: 1 statement (order_place: read, check, reserve, order, lines, audit).
 * - Durable Object lock (wrangler.toml): 2 on the request's connection (order_snapshot, then
 *   order_record) + 1 per variant batch in its Durable Object (inventory_reserve_batch; a cold
 *   object first loads itself in 1 more).
 * Redis: the reservation copy (1); an Idempotency-Key adds its claim and its stored answer (2).
 */

const order = (t: string, items: Array<{ variant_id: string; quantity: number }>, headers: Record<string, string> = {}) =>
  call('POST', '/api/v1/orders', { token: t, body: { items }, headers })
const orderPg = (t: string, body: unknown, headers: Record<string, string> = {}) =>
  callWithPostgresLock('POST', '/api/v1/orders', { token: t, body, headers })

describe('orders round trips', () => {
  it('POST /orders with the Postgres lock: 1 statement', async () => {
    const { variants } = await newProduct([{ stock: 10 }, { stock: 10 }])
    const t = await token(`budget-${uniq()}`)
    const items = variants.map((v) => ({ variant_id: v.id, quantity: 1 }))
    const m = await measure(() => orderPg(t, { items }))
    expect(m.result.status, JSON.stringify(m.result.body)).toBe(201)
    expectBudget('POST /api/v1/orders (Postgres lock, 2 lines)', m.settled, { statements: 1, redisCalls: 1 })

    const keyed = await measure(() => orderPg(t, { items }, { 'idempotency-key': `budget-${uniq()}` }))
    expect(keyed.result.status).toBe(201)
    expectBudget('POST /api/v1/orders (Postgres lock, Idempotency-Key)', keyed.settled, { statements: 1, redisCalls: 3 })
  })

  it('POST /orders with the Postgres lock, from the cart and out of stock: 1 statement each', async () => {
    const { variants } = await newProduct([{ stock: 1 }])
    const t = await token(`budget-${uniq()}`)
    expect((await call('POST', '/api/v1/cart/items', { token: t, body: { variant_id: variants[0]!.id, quantity: 1 } })).status).toBe(200)
    const cart = await measure(() => orderPg(t, {}))
    expect(cart.result.status, JSON.stringify(cart.result.body)).toBe(201)
    expectBudget('POST /api/v1/orders (Postgres lock, from the cart)', cart.settled, { statements: 1, redisCalls: 1 })

    const refused = await measure(() => orderPg(t, { items: [{ variant_id: variants[0]!.id, quantity: 1 }] }))
    expect(refused.result.status).toBe(409)
    expect(refused.result.body.error.code).toBe('OUT_OF_STOCK')
    expectBudget('POST /api/v1/orders (Postgres lock, 409 OUT_OF_STOCK)', refused.settled, { statements: 1, redisCalls: 0 })
  })

  it('POST /orders with the Durable Object lock: 2 statements + 1 per variant batch', async () => {
    const { variants } = await newProduct([{ stock: 10 }, { stock: 10 }])
    const warm = await order(
      await token(`budget-${uniq()}`),
      variants.map((v) => ({ variant_id: v.id, quantity: 1 })),
    )
    expect(warm.status, JSON.stringify(warm.body)).toBe(201)
    const t = await token(`budget-${uniq()}`)

    const one = await measure(() => order(t, [{ variant_id: variants[0]!.id, quantity: 1 }]))
    expect(one.result.status).toBe(201)
    expectBudget('POST /api/v1/orders (Durable Object lock, 1 line)', one.settled, { statements: 3, redisCalls: 1 })

    const two = await measure(() =>
      order(
        t,
        variants.map((v) => ({ variant_id: v.id, quantity: 1 })),
      ),
    )
    expect(two.result.status).toBe(201)
    expectBudget('POST /api/v1/orders (Durable Object lock, 2 lines)', two.settled, { statements: 4, redisCalls: 1 })

    const fresh = await newProduct([{ stock: 10 }])
    const cold = await measure(() => order(t, [{ variant_id: fresh.variants[0]!.id, quantity: 1 }]))
    expect(cold.result.status).toBe(201)
    expectBudget('POST /api/v1/orders (Durable Object lock, cold object)', cold.settled, { statements: 4, redisCalls: 1 })
  })

  it('GET /orders/:id and GET /orders: 1 statement each', async () => {
    const { variants } = await newProduct([{ stock: 10 }])
    const t = await token(`budget-${uniq()}`)
    const placed = await orderPg(t, { items: [{ variant_id: variants[0]!.id, quantity: 2 }] })
    expect(placed.status).toBe(201)

    const one = await measure(() => call('GET', `/api/v1/orders/${placed.body.order_id}`, { token: t }))
    expect(one.result.status).toBe(200)
    expect(one.result.body.order.lines).toHaveLength(1)
    expectBudget('GET /api/v1/orders/:id', one.settled, { statements: 1, redisCalls: 0 })

    const list = await measure(() => call('GET', '/api/v1/orders', { token: t }))
    expect(list.result.status).toBe(200)
    expect(list.result.body.orders).toHaveLength(1)
    expectBudget('GET /api/v1/orders', list.settled, { statements: 1, redisCalls: 0 })
  })

  it('POST /orders/:id/cancel: read, guarded update with its audit row, release', async () => {
    const { variants } = await newProduct([{ stock: 10 }])
    const t = await token(`budget-${uniq()}`)
    const pg = await orderPg(t, { items: [{ variant_id: variants[0]!.id, quantity: 1 }] })
    const cancelPg = await measure(() => callWithPostgresLock('POST', `/api/v1/orders/${pg.body.order_id}/cancel`, { token: t }))
    expect(cancelPg.result.status).toBe(200)
    expectBudget('POST /api/v1/orders/:id/cancel (Postgres lock)', cancelPg.settled, { statements: 3, redisCalls: 1 })

    const viaDo = await order(t, [{ variant_id: variants[0]!.id, quantity: 1 }])
    const cancelDo = await measure(() => call('POST', `/api/v1/orders/${viaDo.body.order_id}/cancel`, { token: t }))
    expect(cancelDo.result.status).toBe(200)
    // The Durable Object lock first asks Postgres which variants the order holds, then each object releases.
    expectBudget('POST /api/v1/orders/:id/cancel (Durable Object lock)', cancelDo.settled, { statements: 4, redisCalls: 1 })
  })
})
