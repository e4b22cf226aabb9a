import { beforeAll, describe, expect, it } from 'vitest'
import { sharedSql } from './db.ts'
import { adminToken, call, token, uniq } from './helpers.ts'

/**
 * Seed 002 end to end inside workerd: HTTP → use case → Postgres through Hyperdrive, and the PIN
 * lockout in real Redis through the Upstash dev server.
 */
interface Shop {
  supplierCode: string
  invoiceNo: string
  accountInvoiceNo: string
  pin: string
}

let admin: string

async function newShop(): Promise<Shop> {
  const u = uniq()
  const shop = { supplierCode: `S-${u}`, invoiceNo: `INV-${u}`, accountInvoiceNo: `ACC-${u}`, pin: '4826' }
  const s = await call('POST', '/api/admin/suppliers', {
    token: admin,
    body: { supplier_code: shop.supplierCode, supplier_name: `Shop ${u}`, supplier_invoice_no: shop.invoiceNo },
  })
  expect(s.status).toBe(201)
  const a = await call('POST', `/api/admin/suppliers/${shop.supplierCode}/accounts`, {
    token: admin,
    body: { supplier_account_invoice_no: shop.accountInvoiceNo, supplier_account_name: 'Counter', pin: shop.pin },
  })
  expect(a.status).toBe(201)
  expect(JSON.stringify(a.body)).not.toContain(shop.pin)
  return shop
}

async function newGifts(n: number, extra: Record<string, unknown> = {}): Promise<string[]> {
  const r = await call('POST', '/api/admin/gifts', {
    token: admin,
    body: { count: n, prefix: 'IT-', amount: 5000, currency: 'JPY', ...extra },
  })
  expect(r.status).toBe(201)
  return r.body.gifts.map((g: { gift_id: string }) => g.gift_id)
}

const use = (giftId: string, shop: Shop, over: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  call('POST', '/api/gifts/use', {
    body: { gift_id: giftId, supplier_invoice_no: shop.invoiceNo, pin: shop.pin, ...over },
    headers,
  })

beforeAll(async () => {
  admin = await adminToken()
})

describe('POST /api/gifts/use', () => {
  it('redeems a gift: 200 with the used gift, row updated, audit row with the request id', async () => {
    const shop = await newShop()
    const [gift] = await newGifts(1)
    const r = await use(gift!, shop, {}, { 'x-request-id': `req-it-${uniq()}` })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      success: true,
      message: 'Gift used successfully',
      gift: { gift_id: gift, gift_status: 1, gift_amount: 5000, gift_currency: 'JPY', used_supplier_code: shop.supplierCode },
      supplier: { supplier_code: shop.supplierCode },
    })
    expect(Date.parse(r.body.gift.gift_used_datetime)).toBeGreaterThan(Date.now() - 60_000)

    const sql = sharedSql()
    const [row] = await sql`select gift_status, gift_used_datetime from gift_codes where gift_id = ${gift!}`
    expect(row!['gift_status']).toBe(1)
    const audits = await sql`select actor, action, request_id, data, created_at = ${row!['gift_used_datetime']} as same_time
      from audit_log where entity_type = 'gift' and entity_id = ${gift!}`
    expect(audits).toEqual([
      {
        actor: `supplier:${shop.supplierCode}`,
        action: 'gift.redeemed',
        request_id: r.headers.get('x-request-id'),
        data: { supplier_code: shop.supplierCode, supplier_invoice_no: shop.invoiceNo },
        same_time: true,
      },
    ])
  })

  it('also answers under /api/v1 and accepts a shop account invoice number', async () => {
    const shop = await newShop()
    const [gift] = await newGifts(1)
    const r = await call('POST', '/api/v1/gifts/use', {
      body: { gift_id: gift, supplier_invoice_no: shop.accountInvoiceNo, pin: shop.pin },
    })
    expect(r.status).toBe(200)
  })

  it('answers 400 with a distinct code for each refusal the seed names, changing nothing', async () => {
    const shop = await newShop()
    const [gift, used] = await newGifts(2)
    const [expired] = await newGifts(1, { valid_from: '2020-01-01T00:00:00Z', valid_until: '2021-01-01T00:00:00Z' })
    const [future] = await newGifts(1, { valid_from: '2099-01-01T00:00:00Z' })
    expect((await use(used!, shop)).status).toBe(200)

    const cases: Array<[string, Promise<{ status: number; body: any }>]> = [
      ['GIFT_NOT_FOUND', use(`NOPE-${uniq()}`, shop)],
      ['GIFT_ALREADY_USED', use(used!, shop)],
      ['GIFT_EXPIRED', use(expired!, shop)],
      ['GIFT_NOT_YET_VALID', use(future!, shop)],
      ['SUPPLIER_INVOICE_NOT_FOUND', use(gift!, shop, { supplier_invoice_no: `NONE-${uniq()}` })],
      ['INVALID_PIN', use(gift!, shop, { pin: '0000' })],
    ]
    for (const [code, pending] of cases) {
      const r = await pending
      expect(r.status, code).toBe(400)
      expect(r.body.error.code).toBe(code)
      expect(r.body.error.request_id).toBeTruthy()
    }
    const check = await call('GET', `/api/gifts/${gift}`, { token: admin })
    expect(check.body.gift.gift_status).toBe(0)
  })

  it('validates input: 400 VALIDATION_FAILED with field paths; malformed JSON 400; unknown fields refused', async () => {
    const r = await call('POST', '/api/gifts/use', { body: { gift_id: 12, pin: '' } })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('VALIDATION_FAILED')
    const paths = r.body.error.details.map((d: { path: string }) => d.path).sort()
    expect(paths).toEqual(['gift_id', 'pin', 'supplier_invoice_no'])

    const bad = await call('POST', '/api/gifts/use', { rawBody: '{"gift_id": ' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toMatch(/MALFORMED_REQUEST|VALIDATION_FAILED/)

    const extra = await call('POST', '/api/gifts/use', { body: { gift_id: 'a', supplier_invoice_no: 'b', pin: 'c', admin: true } })
    expect(extra.status).toBe(400)
  })

  it('50 concurrent redemptions of one gift: exactly one 200, the rest GIFT_ALREADY_USED', async () => {
    const shop = await newShop()
    const [gift] = await newGifts(1)
    // From 50 addresses: one caller's attempts in flight are capped (tests/integration/gifts-lockout.test.ts).
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => use(gift!, shop, {}, { 'cf-connecting-ip': `198.18.0.${i + 1}` })),
    )
    const ok = results.filter((r) => r.status === 200)
    expect(ok).toHaveLength(1)
    const refused = results.filter((r) => r.status !== 200)
    expect(
      refused
        .filter((r) => r.status !== 400 || r.body.error.code !== 'GIFT_ALREADY_USED')
        .map((r) => `${r.status} ${r.body.error?.code} ${JSON.stringify(r.body.error?.details ?? null)}`),
    ).toEqual([])
    const sql = sharedSql()
    const audits = await sql`select count(*)::int as n from audit_log where entity_type = 'gift' and entity_id = ${gift!}`
    expect(audits[0]!['n']).toBe(1)
  })

  it('six wrong PINs lock the caller out for that supplier with 429 and Retry-After; its right PIN is refused too', async () => {
    const shop = await newShop()
    const other = await newShop()
    const [gift, otherGift] = await newGifts(2)
    for (let i = 0; i < 5; i++) {
      const r = await use(gift!, shop, { pin: '0000' })
      expect(r.body.error.code).toBe('INVALID_PIN')
    }
    const sixth = await use(gift!, shop, { pin: '0000' })
    expect(sixth.status).toBe(429)
    expect(sixth.body.error).toMatchObject({ code: 'PIN_LOCKED', details: { scope: 'caller' } })
    const retryAfter = Number(sixth.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(800)
    expect(retryAfter).toBeLessThanOrEqual(900)

    const right = await use(gift!, shop)
    expect(right.status).toBe(429)
    // The lockout is per supplier and caller (tests/integration/gifts-lockout.test.ts has the callers).
    expect((await use(otherGift!, other)).status).toBe(200)
  })

  it('parallel wrong PINs cannot outrun the lockout: at most limit + 20 in flight per caller are verified', async () => {
    const shop = await newShop()
    const [gift] = await newGifts(1)
    const results = await Promise.all(Array.from({ length: 70 }, () => use(gift!, shop, { pin: '0000' })))
    const codes = results.map((r) => r.body.error.code)
    const verified = codes.filter((c) => c === 'INVALID_PIN').length
    expect(verified).toBeGreaterThanOrEqual(5)
    expect(verified).toBeLessThanOrEqual(25)
    expect(
      results
        .filter((r) => !['PIN_LOCKED', 'INVALID_PIN'].includes(r.body.error?.code))
        .map((r) => `${r.status} ${r.body.error?.code} ${JSON.stringify(r.body.error?.details ?? null)}`),
    ).toEqual([])
    expect(codes.filter((c) => c === 'PIN_LOCKED')).toHaveLength(70 - verified)
    expect((await use(gift!, shop)).status).toBe(429)
  })

  it('replays an Idempotency-Key: same body → same answer, other body → 422', async () => {
    const shop = await newShop()
    const [gift, gift2] = await newGifts(2)
    const key = `k-${uniq()}`
    const first = await use(gift!, shop, {}, { 'idempotency-key': key })
    const again = await use(gift!, shop, {}, { 'idempotency-key': key })
    expect(first.status).toBe(200)
    expect(again.status).toBe(200)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body).toEqual(first.body)
    const other = await use(gift2!, shop, {}, { 'idempotency-key': key })
    expect(other.status).toBe(422)
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED')
  })
  it('concurrent requests with one Idempotency-Key run once: the rest replay or get 409', async () => {
    const shop = await newShop()
    const [gift] = await newGifts(1)
    const key = `k-${uniq()}`
    const results = await Promise.all(Array.from({ length: 10 }, () => use(gift!, shop, {}, { 'idempotency-key': key })))
    for (const r of results) {
      if (r.status === 200) expect(r.body.success).toBe(true)
      else expect([r.status, r.body.error.code]).toEqual([409, 'IDEMPOTENCY_IN_FLIGHT'])
    }
    // Every 200 is the same single redemption, never a GIFT_ALREADY_USED from a second run.
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1)
    const sql = sharedSql()
    const audits = await sql`select count(*)::int as n from audit_log where entity_type = 'gift' and entity_id = ${gift!}`
    expect(audits[0]!['n']).toBe(1)
  })
})

describe('admin and reads', () => {
  it('admin routes: 401 without a token, 403 for a non-admin, 401 for a bad or foreign-issuer token', async () => {
    const body = { count: 1, amount: 1, currency: 'JPY' }
    expect((await call('POST', '/api/admin/gifts', { body })).status).toBe(401)
    expect((await call('POST', '/api/admin/gifts', { body, token: await token('u1') })).status).toBe(403)
    expect((await call('POST', '/api/admin/gifts', { body, token: 'not-a-jwt' })).status).toBe(401)
    const foreign = await token('admin-1', ['admin'], { issuer: 'someone-else' })
    expect((await call('POST', '/api/admin/gifts', { body, token: foreign })).status).toBe(401)
    // Each admin route guards itself (no catch-all on /api/admin): a path nobody serves is 404.
    const unknown = await call('POST', `/api/admin/no-such-${uniq()}`, { body })
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND'])
  })

  it('bulk issue validates: exactly one of count/gift_ids, currency, window order; duplicates 409 all-or-none', async () => {
    const v = await call('POST', '/api/admin/gifts', { token: admin, body: { amount: 1, currency: 'jpy' } })
    expect(v.status).toBe(400)
    const w = await call('POST', '/api/admin/gifts', {
      token: admin,
      body: { count: 1, amount: 1, currency: 'JPY', valid_from: '2030-01-02T00:00:00Z', valid_until: '2030-01-01T00:00:00Z' },
    })
    expect(w.status).toBe(400)
    expect(w.body.error.details[0].path).toBe('valid_until')
    const [existing] = await newGifts(1)
    const fresh = `FRESH-${uniq()}`
    const dup = await call('POST', '/api/admin/gifts', {
      token: admin,
      body: { gift_ids: [fresh, existing], amount: 1, currency: 'JPY' },
    })
    expect(dup.status).toBe(409)
    expect(dup.body.error.details.gift_ids).toEqual([existing])
    expect((await call('GET', `/api/gifts/${fresh}`, { token: admin })).status).toBe(404)
  })

  it('GET /api/gifts/:id needs the shop or admin role', async () => {
    const [gift] = await newGifts(1)
    expect((await call('GET', `/api/gifts/${gift}`)).status).toBe(401)
    expect((await call('GET', `/api/gifts/${gift}`, { token: await token('u2') })).status).toBe(403)
    const shopView = await call('GET', `/api/gifts/${gift}`, { token: await token('dev-1', ['shop']) })
    expect(shopView.status).toBe(200)
    expect(shopView.body.gift).toMatchObject({ gift_id: gift, gift_status: 0 })
  })

  it('supplier accounts: unknown supplier 404, duplicate invoice 409, PIN format validated', async () => {
    const shop = await newShop()
    const path = `/api/admin/suppliers/${shop.supplierCode}/accounts`
    const nope = await call('POST', `/api/admin/suppliers/NOPE-${uniq()}/accounts`, {
      token: admin,
      body: { supplier_account_invoice_no: `X-${uniq()}`, supplier_account_name: 'x', pin: '1234' },
    })
    expect(nope.status).toBe(404)
    const dup = await call('POST', path, {
      token: admin,
      body: { supplier_account_invoice_no: shop.accountInvoiceNo, supplier_account_name: 'x', pin: '1234' },
    })
    expect(dup.status).toBe(409)
    const badPin = await call('POST', path, {
      token: admin,
      body: { supplier_account_invoice_no: `Y-${uniq()}`, supplier_account_name: 'x', pin: '12' },
    })
    expect(badPin.status).toBe(400)
  })
})
