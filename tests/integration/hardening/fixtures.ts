import { env } from 'cloudflare:test'
import { SignJWT } from 'jose'
import { expect } from 'vitest'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { newProduct } from '../commerce/fixtures.ts'
import { createPayment, wonAuction } from '../bookings/support.ts'
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

/** Tokens the auth middleware must refuse, each for a different reason. */
export async function forgedTokens(sub: string): Promise<Record<string, string>> {
  const key = (s: string) => new TextEncoder().encode(s)
  const base = () => new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt()
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
  return {
    wrong_secret: await base().setIssuer(e['AUTH_ISSUER']!).setAudience(e['AUTH_AUDIENCE']!).setExpirationTime('10m').sign(key('not-the-secret-0123456789abcdef-xyz')),
    expired: await base()
      .setIssuer(e['AUTH_ISSUER']!)
      .setAudience(e['AUTH_AUDIENCE']!)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(key(e['AUTH_HS256_SECRET']!)),
    wrong_audience: await base().setIssuer(e['AUTH_ISSUER']!).setAudience('someone-else').setExpirationTime('10m').sign(key(e['AUTH_HS256_SECRET']!)),
    wrong_issuer: await base().setIssuer('evil-issuer').setAudience(e['AUTH_AUDIENCE']!).setExpirationTime('10m').sign(key(e['AUTH_HS256_SECRET']!)),
    alg_none: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, roles: ['admin'], iss: e['AUTH_ISSUER'], aud: e['AUTH_AUDIENCE'], exp: Math.floor(Date.now() / 1000) + 600 })}.`,
    garbage: 'not.a.jwt',
  }
}
