import { beforeAll, describe, expect, it } from 'vitest'
import { documentedOperations } from '../../../src/app.ts'
import { call, token, uniq } from '../helpers.ts'
import { payOnSandbox, postCallback } from '../bookings/support.ts'
import { newProduct } from '../commerce/fixtures.ts'
import { CART_SESSION, cartLines, cartSession, createOwned, login, neighbourOf, registered, type Owned } from './fixtures.ts'
import { countFigure } from '../../support/figures.ts'

/**
 * Issue 7, "Hostile input": the authorisation matrix. Every resource route is called as the
 * resource's owner, as another user, as an admin and anonymously; the expected status of each cell
 * is written below. Another user never gets 200 on someone else's resource (a 200 is allowed only
 * on "own" routes, which answer the caller's own data, and then must not contain the owner's ids).
 * Resources are real, created through the API in beforeAll. Destructive rows come last and call the
 * owner last. Every admin route of the document is checked separately: 403 for users, 401 anonymous.
 * Guest carts (anonymous, named by X-Cart-Session) have their own matrix below, with the merge of a
 * guest cart on login.
 */
type Who = 'anonymous' | 'other' | 'admin' | 'owner'
interface Row {
  route: string
  /** Path (and query) for the resources in `r`. */
  path: (r: Resources) => string
  body?: (r: Resources) => unknown
  headers?: (r: Resources) => Record<string, string>
  /** The route answers the caller's own data: another user's 200 is theirs, not the owner's. */
  own?: boolean
  owner: number
  other: number
  admin: number
  anonymous: number
}

interface Resources extends Owned {
  cancelOrderId: string
  bookingId: string
  transactionId: string
  shop: string
}

// The matrix. "admin: 404" on user resources: admins read them through the admin routes; the user
// routes are scoped to the caller like everyone's.
const MATRIX: Row[] = [
  // gifts: shops and admins read gifts; a plain user is refused (403); "owner" is a shop here.
  { route: 'GET /api/gifts/:gift_id', path: (r) => `/api/gifts/${r.giftId}`, owner: 200, other: 403, admin: 200, anonymous: 401 },
  { route: 'GET /api/v1/gifts/:gift_id', path: (r) => `/api/v1/gifts/${r.giftId}`, owner: 200, other: 403, admin: 200, anonymous: 401 },
  // commerce (asking the owner's order for a payment again answers the same live intent: 200)
  { route: 'GET /api/v1/orders/:order_id', path: (r) => `/api/v1/orders/${r.orderId}`, owner: 200, other: 404, admin: 404, anonymous: 401 },
  { route: 'GET /api/v1/orders', path: () => '/api/v1/orders', own: true, owner: 200, other: 200, admin: 200, anonymous: 401 },
  // Not paid yet: the owner learns INVOICE_NOT_READY (checked below), the others ORDER_NOT_FOUND.
  {
    route: 'GET /api/v1/orders/:order_id/invoice',
    path: (r) => `/api/v1/orders/${r.orderId}/invoice`,
    owner: 404,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'POST /api/v1/orders/:order_id/payments',
    path: (r) => `/api/v1/orders/${r.orderId}/payments`,
    body: () => ({ email: 'x@example.test' }),
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'GET /api/v1/payments/:reference',
    path: (r) => `/api/v1/payments/${r.paymentReference}`,
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'POST /api/v1/payments/:reference/verify',
    path: (r) => `/api/v1/payments/${r.paymentReference}/verify`,
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'GET /api/admin/payments/:payment_id',
    path: (r) => `/api/admin/payments/${r.paymentId}`,
    owner: 403,
    other: 403,
    admin: 200,
    anonymous: 401,
  },
  // Anonymous callers need a guest cart session (X-Cart-Session): 400 without one.
  { route: 'GET /api/v1/cart', path: () => '/api/v1/cart', own: true, owner: 200, other: 200, admin: 200, anonymous: 400 },
  // bookings (ZaloPay)
  {
    route: 'GET /api/v1/payment/sessions/:sessionId',
    path: (r) => `/api/v1/payment/sessions/${r.bookingSessionId}`,
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'GET /api/v1/payment/zalopay/status/:appTransId',
    path: (r) => `/api/v1/payment/zalopay/status/${r.appTransId}`,
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'GET /api/v1/payment/transactions/:transactionId',
    path: (r) => `/api/v1/payment/transactions/${r.transactionId}`,
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'GET /api/v1/payment/:paymentId/booking',
    path: (r) => `/api/v1/payment/${r.bookingSessionId}/booking`,
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'POST /api/v1/payment/:paymentId/booking',
    path: (r) => `/api/v1/payment/${r.bookingSessionId}/booking`,
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'POST /api/v1/bookings/:bookingId/update-calendar',
    path: (r) => `/api/v1/bookings/${r.bookingId}/update-calendar`,
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'POST /api/v1/bookings/:bookingId/conversation',
    path: (r) => `/api/v1/bookings/${r.bookingId}/conversation`,
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'POST /api/v1/bookings/:bookingId/send-confirmation',
    path: (r) => `/api/v1/bookings/${r.bookingId}/send-confirmation`,
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'GET /api/v1/user/bookings',
    path: () => '/api/v1/user/bookings',
    own: true,
    owner: 200,
    other: 200,
    admin: 200,
    anonymous: 401,
  },
  {
    route: 'GET /api/v1/user/auction-awards',
    path: () => '/api/v1/user/auction-awards',
    own: true,
    owner: 200,
    other: 200,
    admin: 200,
    anonymous: 401,
  },
  // loyalty
  { route: 'GET /api/v1/points', path: () => '/api/v1/points', own: true, owner: 200, other: 200, admin: 200, anonymous: 401 },
  {
    route: 'GET /api/v1/paypay/cashbacks',
    path: () => '/api/v1/paypay/cashbacks',
    own: true,
    owner: 200,
    other: 200,
    admin: 200,
    anonymous: 401,
  },
  {
    route: 'GET /api/v1/paypay/cashbacks/:merchant_cashback_id',
    path: (r) => `/api/v1/paypay/cashbacks/${r.merchantCashbackId}`,
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'GET /api/v1/paypay/sessions',
    path: () => '/api/v1/paypay/sessions',
    own: true,
    owner: 200,
    other: 200,
    admin: 200,
    anonymous: 401,
  },
  {
    route: 'GET /mypage/points_exchange',
    path: () => '/mypage/points_exchange',
    own: true,
    owner: 200,
    other: 200,
    admin: 200,
    anonymous: 401,
  },
  {
    route: 'GET /api/admin/loyalty/cashbacks/:merchant_cashback_id',
    path: (r) => `/api/admin/loyalty/cashbacks/${r.merchantCashbackId}`,
    owner: 403,
    other: 403,
    admin: 200,
    anonymous: 401,
  },
  {
    route: 'GET /api/admin/loyalty/users/:user_id/points',
    path: (r) => `/api/admin/loyalty/users/${r.ownerId}/points`,
    owner: 403,
    other: 403,
    admin: 200,
    anonymous: 401,
  },
  // destructive rows last; the owner is called last in every row
  {
    route: 'POST /api/v1/orders/:order_id/cancel',
    path: (r) => `/api/v1/orders/${r.cancelOrderId}/cancel`,
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
  {
    route: 'DELETE /api/v1/bookings/:bookingId',
    path: (r) => `/api/v1/bookings/${r.bookingId}`,
    owner: 200,
    other: 404,
    admin: 404,
    anonymous: 401,
  },
]

/** User-facing routes with a path parameter that are not rows above, and why. */
const NOT_IN_MATRIX: Record<string, string> = {
  'GET /api/v1/products/:product_id': 'public catalog: no owner',
  'POST /api/v1/second-chance-offers/:offerId/accept':
    'offers need a lapsed award with runners-up; owner checks are in tests/integration/bookings',
  'POST /api/v1/second-chance-offers/:offerId/decline': 'as above',
  'GET /api/v1/properties/:propertyId/calendar': 'a property calendar is readable by every signed-in user (no owner)',
  'POST /jobs/:name': 'QStash-signed, no user: covered by the fuzzer (401 without a signature)',
}

const ORDER: Who[] = ['anonymous', 'other', 'admin', 'owner']

let r: Resources
let tokens: Record<Who, string | undefined>

describe('authorisation matrix', () => {
  beforeAll(async () => {
    const o = await createOwned({ bookings: true, loyalty: true })
    const cancel = await call('POST', '/api/v1/orders', { token: o.owner, body: { items: [{ variant_id: o.variantId, quantity: 1 }] } })
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(201)
    // A paid ZaloPay session and its booking.
    const paid = await postCallback(await payOnSandbox(o.appTransId))
    expect(paid.body.return_code, JSON.stringify(paid.body)).toBe(1)
    const booking = await call('POST', `/api/v1/payment/${o.bookingSessionId}/booking`, { token: o.owner })
    expect(booking.status, JSON.stringify(booking.body)).toBe(200)
    const session = await call('GET', `/api/v1/payment/sessions/${o.bookingSessionId}`, { token: o.owner })
    expect(session.body.transactionId, JSON.stringify(session.body)).toBeTruthy()
    // Something in the owner's cart, so reading another cart would show it.
    const put = await call('PUT', `/api/v1/cart/items/${o.variantId}`, { token: o.owner, body: { quantity: 2 } })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    r = {
      ...o,
      cancelOrderId: cancel.body.order_id,
      bookingId: booking.body.id ?? booking.body.booking?.id,
      transactionId: session.body.transactionId,
      shop: await token(`h7-shop-${uniq()}`, ['shop']),
    }
    expect(r.bookingId).toBeTruthy()
    tokens = { anonymous: undefined, other: r.other, admin: r.admin, owner: r.owner }
  }, 120_000)

  it('every resource route answers each caller as the table says', async () => {
    const got: string[] = []
    const want: string[] = []
    const leaks: string[] = []
    const secretsOfOwner = () => [
      r.ownerId,
      r.orderId,
      r.paymentReference,
      r.bookingSessionId,
      r.appTransId,
      r.merchantCashbackId,
      r.bookingId,
      r.cancelOrderId,
    ]
    for (const row of MATRIX) {
      const [method] = row.route.split(' ')
      for (const who of ORDER) {
        // The gifts row's "owner" is a shop account (gifts belong to suppliers, read by shops).
        const t = /^GET \/api(\/v1)?\/gifts/.test(row.route) && who === 'owner' ? r.shop : tokens[who]
        const res = await call(method!, row.path(r), {
          ...(t && { token: t }),
          ...(row.body && { body: row.body(r) }),
          ...(row.headers && { headers: row.headers(r) }),
        })
        got.push(`${row.route} as ${who}: ${res.status}`)
        want.push(`${row.route} as ${who}: ${row[who]}`)
        if (who !== 'owner' && who !== 'admin' && res.status < 300) {
          if (!row.own) leaks.push(`${row.route}: ${who} got ${res.status}`)
          const text = JSON.stringify(res.body)
          for (const s of secretsOfOwner()) if (text.includes(s)) leaks.push(`${row.route}: ${who} saw ${s}`)
        }
        if (res.status >= 400) expect(res.body?.error?.request_id, `${row.route} as ${who}`).toBeTypeOf('string')
        // Seed 003's front end maps this code to its sign-in prompt; one code for every 401.
        if (res.status === 401) expect(res.body?.error?.code, `${row.route} as ${who}`).toBe('AUTH_REQUIRED')
      }
    }
    expect(got).toEqual(want)
    expect(leaks).toEqual([])
    countFigure('authorisation cells', got.length)
    console.log(`[authz] ${MATRIX.length} resource routes x ${ORDER.length} callers = ${got.length} cells`)
  })

  it('the owner of an unpaid order is told the invoice is not ready; others are told the order does not exist', async () => {
    const mine = await call('GET', `/api/v1/orders/${r.orderId}/invoice`, { token: r.owner })
    expect(mine.body.error.code).toBe('INVOICE_NOT_READY')
    const theirs = await call('GET', `/api/v1/orders/${r.orderId}/invoice`, { token: r.other })
    expect(theirs.body.error.code).toBe('ORDER_NOT_FOUND')
  })

  it('every admin route of the document refuses users (403) and anonymous callers (401)', async () => {
    const admin = documentedOperations().filter((d) => d.auth === 'admin')
    expect(admin.length).toBeGreaterThan(10)
    const wrong: string[] = []
    for (const d of admin) {
      const path = d.path.replace(/:([A-Za-z0-9_]+)/g, 'x')
      const body = d.method === 'get' || d.method === 'delete' ? undefined : {}
      for (const [who, t, expected] of [
        ['anonymous', undefined, 401],
        ['user', r.owner, 403],
      ] as const) {
        const res = await call(d.method.toUpperCase(), path, { ...(t && { token: t }), ...(body && { body }) })
        const code: unknown = res.body?.error?.code
        if (res.status !== expected || !code || (expected === 401 && code !== 'AUTH_REQUIRED'))
          wrong.push(`${d.method} ${d.path} as ${who}: ${res.status} ${res.body?.error?.code}`)
      }
    }
    expect(wrong).toEqual([])
    countFigure('authorisation cells', admin.length * 2)
    console.log(`[authz] ${admin.length} admin routes x 2 callers refused`)
  })

  it('every user route with a path parameter is in the matrix or listed as excluded with a reason', () => {
    const inMatrix = new Set([...MATRIX, ...CART_MATRIX].map((m) => m.route))
    const missing = documentedOperations()
      .filter((d) => (d.auth === 'user' || d.auth === 'optional') && d.path.includes(':'))
      .map((d) => `${d.method.toUpperCase()} ${d.path}`)
      .filter((k) => !inMatrix.has(k) && !(k in NOT_IN_MATRIX))
    expect(missing).toEqual([])
  })
})

// ---- guest carts ---------------------------------------------------------------------------------
/**
 * A guest's cart is named only by its session id (X-Cart-Session; POST /api/v1/cart/session issues
 * 24 random bytes, base64url). Callers: the guest (its id), another guest (another issued id), a
 * forged id (well-formed, never issued), a guessed id (the guest's with one character changed), a
 * signed-in user without and with the guest's header (the token wins: the user's own cart), and an
 * anonymous caller without a session. Every write aims at the guest's own line. Only the guest may
 * see or change its cart; the guest is called last in each row.
 *
 * Finding (not fixed, reported): ids are not signed and not checked against issued ones, so a
 * forged well-formed id is accepted as a (new, empty) cart of its own. It reaches nobody else's
 * cart: a cart is reachable only by its exact id, and issued ids carry 192 random bits.
 */
type CartWho = 'no_session' | 'forged_id' | 'guessed_id' | 'other_guest' | 'user' | 'user_with_guest_header' | 'guest'
const CART_CALLERS: CartWho[] = ['no_session', 'forged_id', 'guessed_id', 'other_guest', 'user', 'user_with_guest_header', 'guest']

interface CartRow {
  route: string
  path: (variantId: string) => string
  body?: unknown
  status: Record<CartWho, number>
}

const ALL_200_BUT_NO_SESSION = {
  no_session: 400,
  forged_id: 200,
  guessed_id: 200,
  other_guest: 200,
  user: 200,
  user_with_guest_header: 200,
  guest: 200,
}
const CART_MATRIX: CartRow[] = [
  { route: 'GET /api/v1/cart', path: () => '/api/v1/cart', status: ALL_200_BUT_NO_SESSION },
  { route: 'POST /api/v1/cart/items', path: () => '/api/v1/cart/items', body: 1, status: ALL_200_BUT_NO_SESSION },
  { route: 'PUT /api/v1/cart/items/:variant_id', path: (v) => `/api/v1/cart/items/${v}`, body: 2, status: ALL_200_BUT_NO_SESSION },
  { route: 'DELETE /api/v1/cart/items/:variant_id', path: (v) => `/api/v1/cart/items/${v}`, status: ALL_200_BUT_NO_SESSION },
]

describe('guest carts in the authorisation matrix', () => {
  it('only the guest sees or changes its cart; every other caller gets its own (or 400 without a session)', async () => {
    const { variants } = await newProduct([{ stock: 50, price: 1200 }])
    const v = variants[0]!.id
    const guest = await cartSession()
    const put = await call('PUT', `/api/v1/cart/items/${v}`, { headers: { [CART_SESSION]: guest }, body: { quantity: 7 } })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    const forged = `h7forged${uniq()}${'F'.repeat(16)}`
    const ids = [guest, await cartSession(), forged, neighbourOf(guest)]
    expect(new Set(ids).size).toBe(4)
    const callers: Record<CartWho, { token?: string; session?: string; kind?: 'guest' | 'user' }> = {
      no_session: {},
      forged_id: { session: forged, kind: 'guest' },
      guessed_id: { session: neighbourOf(guest), kind: 'guest' },
      other_guest: { session: ids[1]!, kind: 'guest' },
      user: { token: r.other, kind: 'user' },
      user_with_guest_header: { token: r.owner, session: guest, kind: 'user' },
      guest: { session: guest, kind: 'guest' },
    }
    const readGuest = async () => cartLines((await call('GET', '/api/v1/cart', { headers: { [CART_SESSION]: guest } })).body)
    // What the guest's cart holds; only the guest's own calls change it. Others never add up to 7.
    let guestHas = await readGuest()
    expect(guestHas).toEqual({ [v]: 7 })
    const got: string[] = []
    const want: string[] = []
    const leaks: string[] = []
    for (const row of CART_MATRIX) {
      const [method] = row.route.split(' ')
      for (const who of CART_CALLERS) {
        if (who === 'guest') {
          // Nothing the others did reached the guest's cart.
          const now = await readGuest()
          if (JSON.stringify(now) !== JSON.stringify(guestHas))
            leaks.push(`${row.route}: the guest's cart became ${JSON.stringify(now)} (was ${JSON.stringify(guestHas)})`)
        }
        const c = callers[who]
        const body = row.route.startsWith('POST')
          ? { variant_id: v, quantity: row.body }
          : row.body !== undefined
            ? { quantity: row.body }
            : undefined
        const res = await call(method!, row.path(v), {
          ...(c.token && { token: c.token }),
          ...(c.session && { headers: { [CART_SESSION]: c.session } }),
          ...(body && { body }),
        })
        got.push(`${row.route} as ${who}: ${res.status}`)
        want.push(`${row.route} as ${who}: ${row.status[who]}`)
        if (res.status >= 400) {
          expect(res.body?.error?.request_id, `${row.route} as ${who}`).toBeTypeOf('string')
          continue
        }
        if (res.body.cart.owner !== c.kind) leaks.push(`${row.route} as ${who}: answered a ${res.body.cart.owner} cart`)
        const lines = cartLines(res.body)
        if (who === 'guest') guestHas = lines
        else if (guestHas[v] !== undefined && lines[v] === guestHas[v])
          leaks.push(`${row.route} as ${who}: saw the guest's ${JSON.stringify(guestHas)}`)
      }
    }
    expect(got).toEqual(want)
    expect(leaks).toEqual([])
    // The guest's own calls did reach it: +1 on 7, then set to 2, then removed.
    expect(guestHas).toEqual({})
    countFigure('authorisation cells', got.length)
    console.log(`[authz] ${CART_MATRIX.length} cart routes x ${CART_CALLERS.length} callers = ${got.length} cells`)
  })

  /**
   * Merging on login: the cart named by session_id goes into the account that logged in, so the
   * only way into someone's account is that account's password, and the only way to a guest's
   * cart is its exact id. Run in order, against one guest cart and two accounts.
   */
  type MergeRow = {
    who: string
    account: 'attacker' | 'victim'
    session: 'forged' | 'guessed' | 'real'
    password?: 'wrong'
    status: number
    merged?: boolean
    cart: 'empty' | 'guest'
  }
  const MERGE_MATRIX: MergeRow[] = [
    {
      who: 'another account with a forged (never issued) id',
      account: 'attacker',
      session: 'forged',
      status: 200,
      merged: false,
      cart: 'empty',
    },
    {
      who: "another account with a guessed id (the guest's, one character changed)",
      account: 'attacker',
      session: 'guessed',
      status: 200,
      merged: false,
      cart: 'empty',
    },
    {
      who: "the guest's account with the guest's id but a wrong password",
      account: 'victim',
      session: 'real',
      password: 'wrong',
      status: 401,
      cart: 'empty',
    },
    { who: "the guest's own account with its id", account: 'victim', session: 'real', status: 200, merged: true, cart: 'guest' },
    {
      who: "another account with the guest's real id, after the merge",
      account: 'attacker',
      session: 'real',
      status: 200,
      merged: false,
      cart: 'empty',
    },
  ]

  it('a guest cart is merged only into the account that logs in with its exact id, once', async () => {
    const { variants } = await newProduct([{ stock: 20, price: 900 }])
    const v = variants[0]!.id
    const guest = await cartSession()
    expect(guest).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(
      (await call('POST', '/api/v1/cart/items', { headers: { [CART_SESSION]: guest }, body: { variant_id: v, quantity: 3 } })).status,
    ).toBe(200)
    const accounts = { attacker: await registered(), victim: await registered() }
    const ids = { forged: `h7forged${uniq()}${'G'.repeat(16)}`, guessed: neighbourOf(guest), real: guest }
    const got: string[] = []
    const want: string[] = []
    for (const row of MERGE_MATRIX) {
      const res = await login(accounts[row.account].email, {
        session_id: ids[row.session],
        ...(row.password && { password: 'not the password' }),
      })
      got.push(`${row.who}: ${res.status} merged=${res.body.cart_merged} cart=${JSON.stringify(cartLines(res.body))}`)
      want.push(`${row.who}: ${row.status} merged=${row.merged} cart=${JSON.stringify(row.cart === 'guest' ? { [v]: 3 } : {})}`)
      if (!row.merged) {
        // Nothing left the guest's cart (until its own merge, which deletes it).
        const left = cartLines((await call('GET', '/api/v1/cart', { headers: { [CART_SESSION]: guest } })).body)
        const merged = MERGE_MATRIX.slice(0, MERGE_MATRIX.indexOf(row)).some((m) => m.merged)
        expect(left, row.who).toEqual(merged ? {} : { [v]: 3 })
      }
    }
    expect(got).toEqual(want)
    const attacker = await login(accounts.attacker.email)
    expect(cartLines((await call('GET', '/api/v1/cart', { token: attacker.body.access_token })).body)).toEqual({})
  })
})
