import { describe, expect, it } from 'vitest'
import { call, token, uniq } from '../helpers.ts'
import { newProduct } from './fixtures.ts'

const email = () => `user-${uniq().toLowerCase()}@example.test`
const PASSWORD = 'correct horse battery'

async function register(address = email()) {
  const r = await call('POST', '/api/v1/auth/register', { body: { email: address, password: PASSWORD } })
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return { email: address, userId: r.body.user.id as string }
}

const login = (address: string, extra: Record<string, unknown> = {}, ip = '198.51.100.7') =>
  call('POST', '/api/v1/auth/login', { body: { email: address, password: PASSWORD, ...extra }, headers: { 'cf-connecting-ip': ip } })

async function guestSession(): Promise<string> {
  const r = await call('POST', '/api/v1/cart/session')
  expect(r.status).toBe(201)
  return r.body.session_id
}

const addGuest = (session: string, variantId: string, quantity: number) =>
  call('POST', '/api/v1/cart/items', { headers: { 'x-cart-session': session }, body: { variant_id: variantId, quantity } })

const qty = (cart: { lines: Array<{ variant_id: string; quantity: number }> }) =>
  Object.fromEntries(cart.lines.map((l) => [l.variant_id, l.quantity]))

describe('register and log in', () => {
  it('registers once per email (case-insensitive) and never returns the password or its hash', async () => {
    const { email: address } = await register()
    const again = await call('POST', '/api/v1/auth/register', { body: { email: address.toUpperCase(), password: PASSWORD } })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('EMAIL_TAKEN')
    const weak = await call('POST', '/api/v1/auth/register', { body: { email: email(), password: 'short' } })
    expect(weak.status).toBe(400)
  })

  it('issues a token the API accepts; wrong passwords and unknown emails get the same 401', async () => {
    const { email: address, userId } = await register()
    const ok = await login(address, {}, '198.51.100.1')
    expect(ok.status).toBe(200)
    expect(JSON.stringify(ok.body)).not.toContain(PASSWORD)
    expect(ok.body).toMatchObject({ token_type: 'Bearer', user: { id: userId, email: address, roles: [] }, cart: null })
    const orders = await call('GET', '/api/v1/orders', { token: ok.body.access_token })
    expect(orders.status).toBe(200)

    const wrong = await call('POST', '/api/v1/auth/login', {
      body: { email: address, password: 'nope-nope-nope' },
      headers: { 'cf-connecting-ip': '198.51.100.2' },
    })
    const unknown = await call('POST', '/api/v1/auth/login', {
      body: { email: email(), password: 'nope-nope-nope' },
      headers: { 'cf-connecting-ip': '198.51.100.2' },
    })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.body.error.code).toBe(unknown.body.error.code)
    expect(wrong.body.error.message).toBe(unknown.body.error.message)
  })

  it('throttles an account after 5 failed attempts, even the right password, including parallel guesses', async () => {
    const { email: address } = await register()
    const guesses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call('POST', '/api/v1/auth/login', {
          body: { email: address, password: `guess-${i}-xxxx` },
          headers: { 'cf-connecting-ip': `203.0.113.${i}` },
        }),
      ),
    )
    const statuses = guesses.map((g) => g.status)
    expect(statuses.filter((s) => s === 401)).toHaveLength(5)
    expect(statuses.filter((s) => s === 429)).toHaveLength(7)
    const right = await login(address, {}, '203.0.113.99')
    expect(right.status).toBe(429)
    expect(right.body.error.code).toBe('LOGIN_THROTTLED')
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('throttles one IP trying many accounts', async () => {
    const ip = `192.0.2.${Math.floor(Math.random() * 250)}`
    const results = []
    for (let i = 0; i < 31; i++) {
      results.push(
        (
          await call('POST', '/api/v1/auth/login', {
            body: { email: email(), password: 'whatever-1234' },
            headers: { 'cf-connecting-ip': ip },
          })
        ).status,
      )
    }
    expect(results.slice(0, 30).every((s) => s === 401)).toBe(true)
    expect(results[30]).toBe(429)
  })
})

describe('carts', () => {
  it('keeps a guest cart in Redis, priced from the catalog, and refuses more than can be bought', async () => {
    const { variants } = await newProduct([{ stock: 3, price: 1500 }])
    const v = variants[0]!
    const session = await guestSession()
    const added = await addGuest(session, v.id, 2)
    expect(added.status).toBe(200)
    expect(added.body.cart).toMatchObject({ owner: 'guest', subtotals: [{ amount: 3000, currency: 'NGN' }] })
    expect(added.body.cart.lines[0]).toMatchObject({ variant_id: v.id, unit_price: 1500, quantity: 2, line_total: 3000 })

    const tooMany = await addGuest(session, v.id, 2)
    expect(tooMany.status).toBe(409)
    expect(tooMany.body.error.code).toBe('INSUFFICIENT_STOCK')

    const set = await call('PUT', `/api/v1/cart/items/${v.id}`, { headers: { 'x-cart-session': session }, body: { quantity: 1 } })
    expect(qty(set.body.cart)).toEqual({ [v.id]: 1 })
    const removed = await call('DELETE', `/api/v1/cart/items/${v.id}`, { headers: { 'x-cart-session': session } })
    expect(removed.body.cart.lines).toEqual([])
  })

  it('requires a session or a token, and rejects unknown variants and client-sent prices', async () => {
    const { variants } = await newProduct([{ stock: 3 }])
    expect((await call('GET', '/api/v1/cart')).status).toBe(400)
    const session = await guestSession()
    const unknown = await addGuest(session, 'var_01ARZ3NDEKTSV4RRFFQ69G5FAV', 1)
    expect(unknown.status).toBe(404)
    const priced = await call('POST', '/api/v1/cart/items', {
      headers: { 'x-cart-session': session },
      body: { variant_id: variants[0]!.id, quantity: 1, price: 1 },
    })
    expect(priced.status).toBe(400)
  })

  it('documents X-Cart-Session on the cart routes; a malformed one is CART_SESSION_REQUIRED for a guest and ignored with a token', async () => {
    const doc = (await call('GET', '/openapi.json')).body
    for (const [path, method] of [
      ['/api/v1/cart', 'get'],
      ['/api/v1/cart/items', 'post'],
      ['/api/v1/cart/items/{variant_id}', 'put'],
      ['/api/v1/cart/items/{variant_id}', 'delete'],
    ] as const) {
      const header = doc.paths[path][method].parameters.find(
        (p: { in: string; name: string }) => p.in === 'header' && p.name === 'x-cart-session',
      )
      expect(header, `${method} ${path}`).toMatchObject({ required: false })
    }
    const guest = await call('GET', '/api/v1/cart', { headers: { 'x-cart-session': 'short' } })
    expect(guest.status).toBe(400)
    expect(guest.body.error.code).toBe('CART_SESSION_REQUIRED')
    const user = await call('GET', '/api/v1/cart', { token: await token(`cart-${uniq()}`), headers: { 'x-cart-session': 'short' } })
    expect(user.status, JSON.stringify(user.body)).toBe(200)
    expect(user.body.cart).toMatchObject({ owner: 'user', lines: [] })
  })

  it('merges the guest cart on login: quantities added, capped at what can be bought, guest cart deleted', async () => {
    const { variants } = await newProduct([{ stock: 10 }, { stock: 5 }, { stock: 4 }])
    const [a, b, c] = variants as [(typeof variants)[0] & {}, (typeof variants)[0] & {}, (typeof variants)[0] & {}]
    const { email: address, userId } = await register()
    const userToken = await token(userId)
    await call('POST', '/api/v1/cart/items', { token: userToken, body: { variant_id: a.id, quantity: 1 } })
    await call('POST', '/api/v1/cart/items', { token: userToken, body: { variant_id: c.id, quantity: 3 } })

    const session = await guestSession()
    await addGuest(session, a.id, 2)
    await addGuest(session, b.id, 1)
    await addGuest(session, c.id, 3)

    const first = await login(address, { session_id: session }, '198.51.100.20')
    expect(first.status).toBe(200)
    expect(first.body.cart_merged).toBe(true)
    expect(qty(first.body.cart)).toEqual({ [a.id]: 3, [b.id]: 1, [c.id]: 4 })

    const guestAfter = await call('GET', '/api/v1/cart', { headers: { 'x-cart-session': session } })
    expect(guestAfter.body.cart.lines).toEqual([])

    const retried = await login(address, { session_id: session }, '198.51.100.20')
    expect(retried.body.cart_merged).toBe(false)
    expect(qty(retried.body.cart)).toEqual({ [a.id]: 3, [b.id]: 1, [c.id]: 4 })
  })

  it("accepts seed 004 §5's names {email, pwd, sessionId} and merges the guest cart", async () => {
    const { variants } = await newProduct([{ stock: 50 }])
    const v = variants[0]!
    const { email: address } = await register()
    const session = await guestSession()
    await addGuest(session, v.id, 2)
    const r = await call('POST', '/api/v1/auth/login', {
      body: { email: address, pwd: PASSWORD, sessionId: session },
      headers: { 'cf-connecting-ip': '198.51.100.50' },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.cart_merged).toBe(true)
    expect(qty(r.body.cart)).toEqual({ [v.id]: 2 })
    const both = await call('POST', '/api/v1/auth/login', {
      body: { email: address, pwd: PASSWORD, password: PASSWORD },
      headers: { 'cf-connecting-ip': '198.51.100.50' },
    })
    expect(both.status).toBe(400)
    expect(both.body.error.code).toBe('VALIDATION_FAILED')
    const neither = await call('POST', '/api/v1/auth/login', { body: { email: address }, headers: { 'cf-connecting-ip': '198.51.100.50' } })
    expect(neither.status).toBe(400)
  })

  it('merges a guest cart once when two logins race with the same session', async () => {
    const { variants } = await newProduct([{ stock: 50 }])
    const v = variants[0]!
    const { email: address } = await register()
    const session = await guestSession()
    await addGuest(session, v.id, 4)

    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => login(address, { session_id: session }, `198.51.100.${30 + i}`)))
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    expect(results.filter((r) => r.body.cart_merged)).toHaveLength(1)
    for (const r of results.filter((x) => x.body.cart_merged)) expect(qty(r.body.cart)).toEqual({ [v.id]: 4 })
    const final = await login(address, {}, '198.51.100.40')
    const cart = await call('GET', '/api/v1/cart', { token: final.body.access_token })
    expect(qty(cart.body.cart)).toEqual({ [v.id]: 4 })
  })
})
