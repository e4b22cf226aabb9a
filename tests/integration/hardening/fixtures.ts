import { env } from 'cloudflare:test'
import { SignJWT } from 'jose'
import { expect } from 'vitest'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { newProduct } from '../commerce/fixtures.ts'
import { createPayment, newAuction, newProperty, nightsAhead, payOnSandbox, postCallback, wonAuction } from '../bookings/support.ts'
import { exchanged, grant, linkedUser } from '../loyalty/support.ts'

const e = env as unknown as Record<string, string>

/** Real resources owned by one user, created through the API: what the fuzzer and the matrix aim at. */
export interface Owned {
  ownerId: string
  owner: string
  other: string
  admin: string
  productId: string
  variantId: string
  orderId: string
  paymentReference: string
  paymentId: string
  supplierCode: string
  giftId: string
  bookingSessionId: string
  appTransId: string
  merchantCashbackId: string
}

export async function createOwned(opts: { bookings?: boolean; loyalty?: boolean } = {}): Promise<Owned> {
  const admin = await adminToken()
  const { productId, variants } = await newProduct([{ stock: 50, price: 3000 }])
  const variantId = variants[0]!.id

  let ownerId = `h7-owner-${uniq()}`
  let owner = await token(ownerId)
  let merchantCashbackId = `mcb-none-${uniq()}`
  if (opts.loyalty !== false) {
    const u = await linkedUser('h7-owner')
    ownerId = u.id
    owner = u.token
    await grant(u.id, 500)
    merchantCashbackId = await exchanged(u, 100)
  }
  const other = await token(`h7-other-${uniq()}`)

  const order = await call('POST', '/api/v1/orders', { token: owner, body: { items: [{ variant_id: variantId, quantity: 1 }] } })
  expect(order.status, JSON.stringify(order.body)).toBe(201)
  const init = await call('POST', `/api/v1/orders/${order.body.order_id}/payments`, { token: owner, body: { email: 'owner@example.test' } })
  expect(init.status, JSON.stringify(init.body)).toBe(201)

  const u = uniq()
  const supplierCode = `H7-${u}`
  const s = await call('POST', '/api/admin/suppliers', {
    token: admin,
    body: { supplier_code: supplierCode, supplier_name: `Shop ${u}`, supplier_invoice_no: `H7INV-${u}` },
  })
  expect(s.status, JSON.stringify(s.body)).toBe(201)
  const g = await call('POST', '/api/admin/gifts', { token: admin, body: { count: 1, prefix: 'H7-', amount: 100, currency: 'JPY' } })
  expect(g.status, JSON.stringify(g.body)).toBe(201)

  let bookingSessionId = `ps-none-${uniq()}`
  let appTransId = '000000_00000000000000000000000000'
  if (opts.bookings !== false) {
    const won = await wonAuction(ownerId)
    const p = await createPayment(owner, { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })
    expect(p.status, JSON.stringify(p.body)).toBe(200)
    bookingSessionId = p.body.sessionId
    appTransId = p.body.appTransId
  }

  return {
    ownerId,
    owner,
    other,
    admin,
    productId,
    variantId,
    orderId: order.body.order_id,
    paymentReference: init.body.reference,
    paymentId: init.body.payment_id,
    supplierCode,
    giftId: g.body.gifts[0].gift_id,
    bookingSessionId,
    appTransId,
    merchantCashbackId,
  }
}

/** More real resources for the fuzzer's path parameters: the bookings and loyalty ones that take a few steps. */
export interface Reachable {
  /** A property and an auction of it with no results yet, so recording results reaches its checks. */
  propertyId: string
  auctionId: string
  /** A lapsed award, and the second-chance offer that lapse made to the owner (a runner-up). */
  awardId: string
  offerId: string
  /** A paid ZaloPay session of the owner (the booking routes' paymentId), its booking and zp_trans_id. */
  paymentId: string
  bookingId: string
  transactionId: string
  /** An uploaded PayPay history file (rows, content and reconciliation all answer for it). */
  fileId: string
}

export async function createReachable(o: Owned): Promise<Reachable> {
  const property = await newProperty()
  const auction = await newAuction(property.id, nightsAhead(120 + Math.floor(Math.random() * 200), 2))

  const lapsing = await wonAuction(`h7-winner-${uniq()}`, { runnersUp: [{ userId: o.ownerId, amount: 2_000_000 }] })
  const lapsed = await call('POST', `/api/admin/awards/${lapsing.award.id}/lapse`, { token: o.admin })
  expect(lapsed.body.offer?.id, JSON.stringify(lapsed.body)).toBeTruthy()

  const won = await wonAuction(o.ownerId)
  const pay = await createPayment(o.owner, { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })
  expect(pay.status, JSON.stringify(pay.body)).toBe(200)
  const paid = await postCallback(await payOnSandbox(pay.body.appTransId))
  expect(paid.body.return_code, JSON.stringify(paid.body)).toBe(1)
  const booking = await call('POST', `/api/v1/payment/${pay.body.sessionId}/booking`, { token: o.owner })
  expect(booking.status, JSON.stringify(booking.body)).toBe(200)
  const session = await call('GET', `/api/v1/payment/sessions/${pay.body.sessionId}`, { token: o.owner })
  expect(session.body.transactionId, JSON.stringify(session.body)).toBeTruthy()

  // A business date no other test uses (history.test.ts picks 2010-2089).
  const day = `21${String(10 + Math.floor(Math.random() * 90))}-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`
  const file = await call('POST', '/api/admin/loyalty/history-files', {
    token: o.admin,
    body: { business_date: day, content: `merchantCashbackId,amount,status,requestedAt\n${o.merchantCashbackId},100,SUCCESS,` },
  })
  expect(file.status, JSON.stringify(file.body)).toBe(201)

  return {
    propertyId: property.id,
    auctionId: auction.id,
    awardId: lapsing.award.id,
    offerId: lapsed.body.offer.id,
    paymentId: pay.body.sessionId,
    bookingId: booking.body.id,
    transactionId: session.body.transactionId,
    fileId: file.body.file.file_id,
  }
}

// ---- guest carts and password logins (the cart rows of the matrix) ------------------------------

export const CART_SESSION = 'x-cart-session'

/** A session id issued by POST /api/v1/cart/session, as a guest's front end gets one. */
export async function cartSession(): Promise<string> {
  const r = await call('POST', '/api/v1/cart/session')
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return r.body.session_id
}

/** The same id with its last character changed: what a guesser next to it would try. */
export const neighbourOf = (id: string) => id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A')

export const cartLines = (body: any): Record<string, number> =>
  Object.fromEntries(((body?.cart?.lines ?? []) as Array<{ variant_id: string; quantity: number }>).map((l) => [l.variant_id, l.quantity]))

const PASSWORD = 'h7 correct horse battery'

/** An account with a password (cart merging happens on a password login). */
export async function registered(): Promise<{ email: string; userId: string }> {
  const email = `h7-${uniq().toLowerCase()}@example.test`
  const r = await call('POST', '/api/v1/auth/register', { body: { email, password: PASSWORD } })
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return { email, userId: r.body.user.id }
}

/** Logs in from a fresh address each time (logins are also counted per address). */
export const login = (email: string, extra: { session_id?: string; password?: string } = {}) =>
  call('POST', '/api/v1/auth/login', {
    body: { email, password: extra.password ?? PASSWORD, ...(extra.session_id && { session_id: extra.session_id }) },
    headers: { 'cf-connecting-ip': `2001:db8:ca47::${crypto.randomUUID().slice(0, 4)}` },
  })

/** Tokens the auth middleware must refuse, each for a different reason. */
export async function forgedTokens(sub: string): Promise<Record<string, string>> {
  const key = (s: string) => new TextEncoder().encode(s)
  const base = () => new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt()
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
  return {
    wrong_secret: await base()
      .setIssuer(e['AUTH_ISSUER']!)
      .setAudience(e['AUTH_AUDIENCE']!)
      .setExpirationTime('10m')
      .sign(key('not-the-secret-0123456789abcdef-xyz')),
    expired: await base()
      .setIssuer(e['AUTH_ISSUER']!)
      .setAudience(e['AUTH_AUDIENCE']!)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(key(e['AUTH_HS256_SECRET']!)),
    wrong_audience: await base()
      .setIssuer(e['AUTH_ISSUER']!)
      .setAudience('someone-else')
      .setExpirationTime('10m')
      .sign(key(e['AUTH_HS256_SECRET']!)),
    wrong_issuer: await base()
      .setIssuer('evil-issuer')
      .setAudience(e['AUTH_AUDIENCE']!)
      .setExpirationTime('10m')
      .sign(key(e['AUTH_HS256_SECRET']!)),
    alg_none: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, roles: ['admin'], iss: e['AUTH_ISSUER'], aud: e['AUTH_AUDIENCE'], exp: Math.floor(Date.now() / 1000) + 600 })}.`,
    garbage: 'not.a.jwt',
  }
}
