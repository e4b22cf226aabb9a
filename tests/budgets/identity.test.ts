import { describe, expect, it } from 'vitest'
import { newProduct } from '../integration/commerce/fixtures.ts'
import { call, uniq } from '../integration/helpers.ts'
import { measure, recordBudget } from './round-trips.ts'

/**
 * POST /api/v1/auth/login: one statement (the user by email) and one Redis call (the throttle's
 * count) before the answer; a successful attempt is given back to the throttle after the answer
 * (waitUntil), so the settled count has one more Redis call. With a guest cart the merge (the carts
 * context's) adds its own cost, recorded here for the report.
 */

const PASSWORD = 'correct horse battery'

async function registered(): Promise<string> {
  const email = `budget-${uniq().toLowerCase()}@example.test`
  const r = await call('POST', '/api/v1/auth/register', { body: { email, password: PASSWORD } })
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return email
}

const login = (email: string, extra: Record<string, unknown> = {}, password = PASSWORD) =>
  call('POST', '/api/v1/auth/login', {
    body: { email, password, ...extra },
    headers: { 'cf-connecting-ip': `192.0.2.${1 + Math.floor(Math.random() * 250)}` },
  })

describe('identity round trips', () => {
  it('login (no guest cart): 1 statement, 1 Redis call awaited and 1 deferred', async () => {
    const email = await registered()
    const m = await measure(() => login(email))
    expect(m.result.status, JSON.stringify(m.result.body)).toBe(200)
    recordBudget('POST /api/v1/auth/login', m.settled)
    expect(m.settled.statements).toBe(1)
    expect(m.settled.redisCalls).toBe(2)
    expect(m.settled.roundTrips).toBeLessThanOrEqual(2 * m.settled.statements)
  })

  it('login with a wrong password: 1 statement, 1 Redis call (nothing to give back)', async () => {
    const email = await registered()
    const m = await measure(() => login(email, {}, 'wrong-password-123'))
    expect(m.result.status).toBe(401)
    recordBudget('POST /api/v1/auth/login (wrong password)', m.settled)
    expect(m.settled.statements).toBe(1)
    expect(m.settled.redisCalls).toBe(1)
  })

  it('login with a guest cart: records what the merge (carts context) adds', async () => {
    const email = await registered()
    const { variants } = await newProduct([{ stock: 5 }])
    const s = await call('POST', '/api/v1/cart/session')
    expect(s.status).toBe(201)
    const session = s.body.session_id as string
    const add = await call('POST', '/api/v1/cart/items', {
      headers: { 'x-cart-session': session },
      body: { variant_id: variants[0]!.id, quantity: 1 },
    })
    expect(add.status, JSON.stringify(add.body)).toBeLessThan(300)
    const m = await measure(() => login(email, { session_id: session }))
    expect(m.result.status, JSON.stringify(m.result.body)).toBe(200)
    expect(m.result.body.cart_merged).toBe(true)
    recordBudget('POST /api/v1/auth/login (with guest cart merge)', m.settled)
    expect(m.settled.roundTrips).toBeLessThanOrEqual(2 * m.settled.statements)
  })
})
