import { env } from 'cloudflare:test'
import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { Pbkdf2Hasher } from '../../src/platform/crypto/pbkdf2-hasher.ts'
import { adminToken, call, uniq } from '../integration/helpers.ts'
import { measure, recordBudget, type Counts } from './round-trips.ts'

/**
 * Seed 002 (POST /api/gifts/use): one read (gift, supplier by invoice number, its accounts' stored
 * PINs) and one guarded write (gift marked used + audit row in one statement). A PIN still in an
 * old form adds its rewrite after the answer, on its first successful use only. Redis: the PIN
 * lockout's reserve before the answer; a correct attempt's release runs after it (waitUntil), so
 * the settled count has one more call than the answer waited for. A wrong PIN's failure is counted
 * before the answer (a guesser must not learn the result before the count includes it).
 */

function expectBudget(name: string, c: Counts, budget: { statements: number; redisCalls: number }) {
  recordBudget(name, c)
  expect(c.statements, name).toBe(budget.statements)
  expect(c.redisCalls, name).toBe(budget.redisCalls)
  expect(c.roundTrips, name).toBeLessThanOrEqual(2 * c.statements)
}

async function shopWithGift() {
  const admin = await adminToken()
  const u = uniq()
  const shop = { code: `B-${u}`, invoiceNo: `BINV-${u}`, accountInvoiceNo: `BACC-${u}`, pin: '4826' }
  const s = await call('POST', '/api/admin/suppliers', {
    token: admin,
    body: { supplier_code: shop.code, supplier_name: `Shop ${u}`, supplier_invoice_no: shop.invoiceNo },
  })
  expect(s.status).toBe(201)
  for (const [i, pin] of [shop.pin, '7391'].entries()) {
    const a = await call('POST', `/api/admin/suppliers/${shop.code}/accounts`, {
      token: admin,
      body: { supplier_account_invoice_no: `${shop.accountInvoiceNo}-${i}`, supplier_account_name: `Counter ${i}`, pin },
    })
    expect(a.status).toBe(201)
  }
  const g = await call('POST', '/api/admin/gifts', { token: admin, body: { count: 1, prefix: 'BG-', amount: 5000, currency: 'JPY' } })
  expect(g.status).toBe(201)
  return { shop, giftId: g.body.gifts[0].gift_id as string }
}

const use = (body: Record<string, string>) => call('POST', '/api/gifts/use', { body })

describe('gifts round trips', () => {
  it('redemption (success): 2 statements, 1 Redis call awaited and 1 deferred', async () => {
    const { shop, giftId } = await shopWithGift()
    const m = await measure(() => use({ gift_id: giftId, supplier_invoice_no: shop.invoiceNo, pin: shop.pin }))
    expect(m.result.status, JSON.stringify(m.result.body)).toBe(200)
    expectBudget('POST /api/gifts/use (success)', m.settled, { statements: 2, redisCalls: 2 })
    // Both statements are awaited by the answer. The release is not, but it is issued as the answer
    // is returned, so the proxy usually counts it by `atResponse` too: that the answer does not
    // wait for it is proven in tests/unit/gifts/redeem-gift.test.ts (a held Defer).
    expect(m.atResponse.statements).toBe(2)
  })

  it('redemption by a shop account invoice number: the same 2 statements', async () => {
    const { shop, giftId } = await shopWithGift()
    const m = await measure(() => use({ gift_id: giftId, supplier_invoice_no: `${shop.accountInvoiceNo}-1`, pin: shop.pin }))
    expect(m.result.status).toBe(200)
    expectBudget('POST /api/gifts/use (success, account invoice)', m.settled, { statements: 2, redisCalls: 2 })
  })

  it('a PIN still in the old PBKDF2 form: the same 2 statements before the answer, its rewrite after it, once', async () => {
    const { shop, giftId } = await shopWithGift()
    const legacyPin = '3579'
    const sql = postgres((env as unknown as { HYPERDRIVE: Hyperdrive }).HYPERDRIVE.connectionString, { max: 1, fetch_types: false })
    await sql`insert into supplier_accounts (supplier_account_id, supplier_account_invoice_no, supplier_code, supplier_account_name, supplier_account_secret_code)
      values (${`sacc_old_${uniq()}`}, ${`BOLD-${uniq()}`}, ${shop.code}, 'Old counter', ${await new Pbkdf2Hasher(1000).hash(legacyPin)})`
    const first = await measure(() => use({ gift_id: giftId, supplier_invoice_no: shop.invoiceNo, pin: legacyPin }))
    expect(first.result.status, JSON.stringify(first.result.body)).toBe(200)
    // The rewrite is handed to waitUntil after the guarded write, as the answer is returned, so the
    // proxy may count it by `atResponse`; that the answer does not wait for it is proven in
    // tests/unit/gifts/pin-hasher.test.ts (a held Defer).
    expect(first.atResponse.statements).toBeGreaterThanOrEqual(2)
    expectBudget('POST /api/gifts/use (success, first use of an old PBKDF2 PIN)', first.settled, { statements: 3, redisCalls: 2 })
    const { giftId: next } = await shopWithGift()
    const second = await measure(() => use({ gift_id: next, supplier_invoice_no: shop.invoiceNo, pin: legacyPin }))
    expect(second.result.status).toBe(200)
    expectBudget('POST /api/gifts/use (success, that PIN rewritten)', second.settled, { statements: 2, redisCalls: 2 })
  })

  it('wrong PIN: 1 statement, the reserve and the counted failure both before the answer', async () => {
    const { shop, giftId } = await shopWithGift()
    const m = await measure(() => use({ gift_id: giftId, supplier_invoice_no: shop.invoiceNo, pin: '0000' }))
    expect(m.result.body.error.code).toBe('INVALID_PIN')
    expectBudget('POST /api/gifts/use (wrong PIN)', m.settled, { statements: 1, redisCalls: 2 })
    expect(m.atResponse.redisCalls).toBe(2)
  })

  it('refusals before the PIN (unknown gift, used gift, unknown invoice): 1 statement, no Redis', async () => {
    const { shop, giftId } = await shopWithGift()
    expect((await use({ gift_id: giftId, supplier_invoice_no: shop.invoiceNo, pin: shop.pin })).status).toBe(200)
    const cases: Array<[string, Record<string, string>]> = [
      ['GIFT_NOT_FOUND', { gift_id: `NOPE-${uniq()}`, supplier_invoice_no: shop.invoiceNo, pin: shop.pin }],
      ['GIFT_ALREADY_USED', { gift_id: giftId, supplier_invoice_no: shop.invoiceNo, pin: shop.pin }],
      ['SUPPLIER_INVOICE_NOT_FOUND', { gift_id: (await shopWithGift()).giftId, supplier_invoice_no: `NONE-${uniq()}`, pin: shop.pin }],
    ]
    for (const [code, body] of cases) {
      const m = await measure(() => use(body))
      expect(m.result.body.error.code).toBe(code)
      expectBudget(`POST /api/gifts/use (${code})`, m.settled, { statements: 1, redisCalls: 0 })
    }
  })
})
