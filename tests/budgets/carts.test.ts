import { describe, expect, it } from 'vitest'
import { newProduct } from '../integration/commerce/fixtures.ts'
import { call, token, uniq } from '../integration/helpers.ts'
import { expectBudget } from './commerce-budget.ts'
import { measure } from './round-trips.ts'

/**
 * GET /api/v1/cart: a user's cart is one statement (cart_view: lines with their variants); a
 * guest's lines come from Redis (1 call) and their variants in one statement (none when empty).
 * The login merge is one statement (cart_merge_guest: claim, capped upserts, the cart after it) on
 * top of the login's own; Redis: the guest cart read and its conditional delete.
 */

const PASSWORD = 'correct horse battery'

async function guestCartWith(variantId: string, quantity: number): Promise<string> {
  const s = await call('POST', '/api/v1/cart/session')
  const session = s.body.session_id as string
  const add = await call('POST', '/api/v1/cart/items', {
    headers: { 'x-cart-session': session },
    body: { variant_id: variantId, quantity },
  })
  expect(add.status, JSON.stringify(add.body)).toBe(200)
  return session
}

describe('carts round trips', () => {
  it('GET /cart: 1 statement for a user, 1 statement + 1 Redis call for a guest', async () => {
    const { variants } = await newProduct([{ stock: 10 }, { stock: 10 }])
    const t = await token(`budget-${uniq()}`)
    for (const v of variants)
      expect((await call('POST', '/api/v1/cart/items', { token: t, body: { variant_id: v.id, quantity: 2 } })).status).toBe(200)
    const user = await measure(() => call('GET', '/api/v1/cart', { token: t }))
    expect(user.result.body.cart.lines).toHaveLength(2)
    expectBudget('GET /api/v1/cart (user)', user.settled, { statements: 1, redisCalls: 0 })

    const session = await guestCartWith(variants[0]!.id, 1)
    const guest = await measure(() => call('GET', '/api/v1/cart', { headers: { 'x-cart-session': session } }))
    expect(guest.result.body.cart.lines).toHaveLength(1)
    expectBudget('GET /api/v1/cart (guest)', guest.settled, { statements: 1, redisCalls: 1 })

    const empty = await measure(() => call('GET', '/api/v1/cart', { headers: { 'x-cart-session': `empty-${uniq()}-session` } }))
    expect(empty.result.body.cart.lines).toEqual([])
    expectBudget('GET /api/v1/cart (guest, empty)', empty.settled, { statements: 0, redisCalls: 1 })
  })

  it('login with a guest cart: the merge is 1 statement on top of the login', async () => {
    const { variants } = await newProduct([{ stock: 3 }, { stock: 10 }])
    const email = `budget-${uniq().toLowerCase()}@example.test`
    const reg = await call('POST', '/api/v1/auth/register', { body: { email, password: PASSWORD } })
    expect(reg.status).toBe(201)
    const t = await token(reg.body.user.id)
    expect((await call('POST', '/api/v1/cart/items', { token: t, body: { variant_id: variants[0]!.id, quantity: 2 } })).status).toBe(200)
    const session = await guestCartWith(variants[0]!.id, 3)
    expect(
      (
        await call('POST', '/api/v1/cart/items', {
          headers: { 'x-cart-session': session },
          body: { variant_id: variants[1]!.id, quantity: 1 },
        })
      ).status,
    ).toBe(200)

    const login = () =>
      call('POST', '/api/v1/auth/login', {
        body: { email, password: PASSWORD, session_id: session },
        headers: { 'cf-connecting-ip': `198.18.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}` },
      })
    const m = await measure(login)
    expect(m.result.status, JSON.stringify(m.result.body)).toBe(200)
    expect(m.result.body.cart_merged).toBe(true)
    const qty = Object.fromEntries(
      m.result.body.cart.lines.map((l: { variant_id: string; quantity: number }) => [l.variant_id, l.quantity]),
    )
    expect(qty).toEqual({ [variants[0]!.id]: 3, [variants[1]!.id]: 1 })
    // Login: the user read (1) and its throttle (2 Redis calls); merge: 1 statement, guest read + delete (2).
    expectBudget('POST /api/v1/auth/login (guest cart merged)', m.settled, { statements: 2, redisCalls: 4 })
  })
})
