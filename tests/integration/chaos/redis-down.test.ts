import { env } from 'cloudflare:test'
import { sql } from 'drizzle-orm'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { newProduct, stockRow } from '../commerce/fixtures.ts'
import { sharedDb } from '../db.ts'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { cashback, exchanged, expectLedgerConsistent, give, grant, linkedUser, paypayCalls } from '../loyalty/support.ts'
import { countFigure } from '../../support/figures.ts'

/**
 * README "When Redis is down", row by row, with the Upstash dev server answering every REST call
 * 503 (its outage control; the Worker's Upstash URL is fixed for the run). Fixtures are made while
 * Redis is up; afterEach brings it back whatever happened.
 */
const e = env as unknown as Record<string, string>
const redis = (down: boolean) => {
  if (down) countFigure('faults injected (Redis down)')
  return fetch(`${e['UPSTASH_REDIS_REST_URL']}/__control/faults`, {
    method: down ? 'POST' : 'DELETE',
    ...(down && { body: JSON.stringify({ down: true }) }),
  }).then((r) => expect(r.status).toBe(200))
}

afterEach(() => redis(false))

let admin: string
beforeAll(async () => {
  admin = await adminToken()
})

const expect503 = (r: { status: number; body: any }) => {
  expect(r.status, JSON.stringify(r.body)).toBe(503)
  expect(r.body.error.code).toBe('DEPENDENCY_UNAVAILABLE')
}

describe('Redis unavailable: fail closed', () => {
  it('PIN lockout: 503 and no redemption', async () => {
    const u = uniq()
    const supplier = { supplier_code: `S-${u}`, supplier_name: `Shop ${u}`, supplier_invoice_no: `INV-${u}` }
    expect((await call('POST', '/api/admin/suppliers', { token: admin, body: supplier })).status).toBe(201)
    const acct = { supplier_account_invoice_no: `ACC-${u}`, supplier_account_name: 'Counter', pin: '4826' }
    expect((await call('POST', `/api/admin/suppliers/${supplier.supplier_code}/accounts`, { token: admin, body: acct })).status).toBe(201)
    const gifts = await call('POST', '/api/admin/gifts', {
      token: admin,
      body: { count: 1, prefix: 'RD-', amount: 5000, currency: 'JPY' },
      headers: { 'idempotency-key': `g-${u}` },
    })
    expect(gifts.status, JSON.stringify(gifts.body)).toBe(201)
    const giftId = gifts.body.gifts[0].gift_id as string

    await redis(true)
    expect503(
      await call('POST', '/api/gifts/use', { body: { gift_id: giftId, supplier_invoice_no: supplier.supplier_invoice_no, pin: '4826' } }),
    )
    await redis(false)
    const gift = await call('GET', `/api/gifts/${giftId}`, { token: admin })
    expect(gift.body.gift.gift_status).toBe(0)
    // Back up: the same redemption goes through.
    const used = await call('POST', '/api/gifts/use', {
      body: { gift_id: giftId, supplier_invoice_no: supplier.supplier_invoice_no, pin: '4826' },
    })
    expect(used.status, JSON.stringify(used.body)).toBe(200)
  })

  it('login rate limits: 503, no token issued', async () => {
    const email = `rd-${uniq().toLowerCase()}@example.test`
    const password = 'redis-down-password-1'
    expect((await call('POST', '/api/v1/auth/register', { body: { email, password } })).status).toBe(201)
    await redis(true)
    const login = await call('POST', '/api/v1/auth/login', { body: { email, password } })
    expect503(login)
    expect(login.body.access_token).toBeUndefined()
  })

  it('idempotency keys: 503 and the write is not applied', async () => {
    const { variants } = await newProduct([{ stock: 3 }])
    const user = await token(`rd-${uniq()}`)
    await redis(true)
    const order = await call('POST', '/api/v1/orders', {
      token: user,
      body: { items: [{ variant_id: variants[0]!.id, quantity: 1 }] },
      headers: { 'idempotency-key': `o-${uniq()}` },
    })
    expect503(order)
    await redis(false)
    expect(await stockRow(variants[0]!.id)).toMatchObject({ stock: 3, reserved: 0, active: 0 })
    expect((await call('GET', '/api/v1/orders', { token: user })).body.orders).toEqual([])
  })

  it('guest carts: 503 rather than an empty cart', async () => {
    const { variants } = await newProduct([{ stock: 5 }])
    const session = await call('POST', '/api/v1/cart/session')
    expect(session.status).toBe(201)
    const id = session.body.session_id as string
    const headers = { 'x-cart-session': id }
    expect((await call('POST', '/api/v1/cart/items', { headers, body: { variant_id: variants[0]!.id, quantity: 2 } })).status).toBeLessThan(
      300,
    )
    await redis(true)
    expect503(await call('GET', '/api/v1/cart', { headers }))
    expect503(await call('POST', '/api/v1/cart/items', { headers, body: { variant_id: variants[0]!.id, quantity: 1 } }))
    await redis(false)
    const cart = await call('GET', '/api/v1/cart', { headers })
    expect(JSON.stringify(cart.body)).toContain(variants[0]!.id)
    expect(JSON.stringify(cart.body)).toMatch(/"quantity":2/)
  })

  it('health: redis.ok false and 503', async () => {
    await redis(true)
    const health = await call('GET', '/health')
    expect(health.status).toBe(503)
    expect(health.body.checks.redis.ok).toBe(false)
    expect(health.body.checks.database.ok).toBe(true)
  })
})

describe('Redis unavailable: degrade', () => {
  it('catalog cache: reads go to Postgres', async () => {
    const { productId, variants } = await newProduct([{ stock: 4, price: 777 }])
    await redis(true)
    const one = await call('GET', `/api/v1/products/${productId}`)
    expect(one.status, JSON.stringify(one.body)).toBe(200)
    expect(JSON.stringify(one.body)).toContain(variants[0]!.id)
    expect((await call('GET', '/api/v1/products')).status).toBe(200)
  })

  it('reservation and payment intent caches: an order is reserved and its payment initialized from Postgres', async () => {
    const { variants } = await newProduct([{ stock: 2, price: 1500 }])
    const user = await token(`rd-${uniq()}`)
    await redis(true)
    const order = await call('POST', '/api/v1/orders', { token: user, body: { items: [{ variant_id: variants[0]!.id, quantity: 1 }] } })
    expect(order.status, JSON.stringify(order.body)).toBe(201)
    const init = await call('POST', `/api/v1/orders/${order.body.order_id}/payments`, { token: user, body: { email: 'rd@example.test' } })
    expect(init.status, JSON.stringify(init.body)).toBe(201)
    // Asking again while Redis is still down answers the same live payment (Postgres holds it).
    const again = await call('POST', `/api/v1/orders/${order.body.order_id}/payments`, { token: user, body: { email: 'rd@example.test' } })
    expect(again.body.reference).toBe(init.body.reference)
    await redis(false)
    expect(await stockRow(variants[0]!.id)).toMatchObject({ stock: 2, reserved: 1, active: 1 })
    const db = sharedDb()
    const payments = await db.execute<{ n: number }>(sql`select count(*)::int as n from payments where order_id = ${order.body.order_id}`)
    expect(payments[0]!.n).toBe(1)
  })
})

describe('Redis unavailable: PayPay rate gate', () => {
  it('fails closed: the give job answers 5xx without calling PayPay, and the retry gives once', async () => {
    const u = await linkedUser('rd')
    await grant(u.id, 1000)
    const id = await exchanged(u, 300)
    await redis(true)
    const run = await give(id)
    expect(run.status, JSON.stringify(run.body)).toBeGreaterThanOrEqual(500)
    expect(await paypayCalls(id, 'give_cashback')).toHaveLength(0)
    await redis(false)
    expect((await cashback(id)).cashback.status).not.toBe('accepted')
    const retry = await give(id)
    expect(retry.status, JSON.stringify(retry.body)).toBe(200)
    expect(await paypayCalls(id, 'give_cashback')).toHaveLength(1)
    expect(await expectLedgerConsistent(u.id)).toBe(700)
  })
})
