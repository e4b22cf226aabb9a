import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import worker from '../../src/worker.ts'
import { PepperedPinHasher } from '../../src/gifts/adapters/peppered-pin-hasher.ts'
import type { SupplierCode } from '../../src/gifts/domain/supplier.ts'
import { giftPinPeppers } from '../../src/platform/config.ts'
import { Pbkdf2Hasher } from '../../src/platform/crypto/pbkdf2-hasher.ts'
import { sharedSql } from './db.ts'
import { adminToken, call, uniq } from './helpers.ts'

/**
 * Issue 14 item 4 through HTTP: PINs stored as the pepper's HMAC, old PBKDF2 rows and rows of an
 * older pepper verified and rewritten once on their next success, a retired pepper refused, and a
 * Worker without GIFT_PIN_PEPPER failing closed (503) for redemption and account creation.
 */
const e = env as unknown as Record<string, string>
const peppers = giftPinPeppers.parse(e['GIFT_PIN_PEPPER'])
const [current, older] = peppers as [{ id: string; secret: string }, { id: string; secret: string }]
let admin: string

beforeAll(async () => {
  admin = await adminToken()
})

async function supplierWithGifts(n: number) {
  const u = uniq()
  const code = `P-${u}`
  const s = await call('POST', '/api/admin/suppliers', {
    token: admin,
    body: { supplier_code: code, supplier_name: `Shop ${u}`, supplier_invoice_no: `PINV-${u}` },
  })
  expect(s.status).toBe(201)
  const g = await call('POST', '/api/admin/gifts', { token: admin, body: { count: n, prefix: 'PH-', amount: 100, currency: 'JPY' } })
  expect(g.status).toBe(201)
  return { code, invoiceNo: `PINV-${u}`, gifts: g.body.gifts.map((x: { gift_id: string }) => x.gift_id) as string[] }
}

/** An account through the admin API (its PIN hashed by the Worker); returns its id. */
async function addAccount(code: string, pin: string): Promise<string> {
  const a = await call('POST', `/api/admin/suppliers/${code}/accounts`, {
    token: admin,
    body: { supplier_account_invoice_no: `ACC-${uniq()}`, supplier_account_name: 'Counter', pin },
  })
  expect(a.status).toBe(201)
  return a.body.account.supplier_account_id
}

/** An account row written as a system from before issue 14 (or under an older pepper) left it. */
async function insertAccount(code: string, keyId: string | null, secret: string): Promise<string> {
  const id = `sacc_legacy_${uniq()}`
  await sharedSql()`insert into supplier_accounts (supplier_account_id, supplier_account_invoice_no, supplier_code, supplier_account_name,
      supplier_account_secret_code, supplier_account_secret_key_id) values (${id}, ${`LACC-${uniq()}`}, ${code}, 'Legacy counter', ${secret}, ${keyId})`
  return id
}

const stored = async (id: string) =>
  (
    await sharedSql()`select supplier_account_secret_key_id as key_id, supplier_account_secret_code as secret from supplier_accounts where supplier_account_id = ${id}`
  )[0]!

/** The rewrite runs after the answer (waitUntil): wait for it to land. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await read()
    if (ok(v) || i > 50) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

const use = (s: { invoiceNo: string }, gift: string, pin: string) =>
  call('POST', '/api/gifts/use', { body: { gift_id: gift, supplier_invoice_no: s.invoiceNo, pin } })

describe('PINs under the pepper', () => {
  it("a new account stores the current pepper's HMAC of supplier code and PIN, with its key id", async () => {
    const s = await supplierWithGifts(1)
    const row = await stored(await addAccount(s.code, '4826'))
    const expected = await new PepperedPinHasher([current]).hash(s.code as SupplierCode, '4826')
    expect(row).toEqual({ key_id: current.id, secret: expected.secret })
    expect((await use(s, s.gifts[0]!, '4826')).status).toBe(200)
  })

  it('an old PBKDF2 row (no key id) is verified the old way, then rewritten once into the current form', async () => {
    const s = await supplierWithGifts(2)
    const legacy = await new Pbkdf2Hasher(1000).hash('1357')
    const id = await insertAccount(s.code, null, legacy)
    const untouched = await insertAccount(s.code, null, await new Pbkdf2Hasher(1000).hash('2468'))

    expect((await use(s, s.gifts[0]!, '0000')).body.error.code).toBe('INVALID_PIN')
    expect(await stored(id)).toEqual({ key_id: null, secret: legacy })

    const first = await use(s, s.gifts[0]!, '1357')
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    const expected = await new PepperedPinHasher([current]).hash(s.code as SupplierCode, '1357')
    const row = await eventually(
      () => stored(id),
      (r) => r['key_id'] !== null,
    )
    expect(row).toEqual({ key_id: current.id, secret: expected.secret })
    expect((await stored(untouched))['key_id']).toBeNull()
    // Now verified by HMAC.
    expect((await use(s, s.gifts[1]!, '1357')).status).toBe(200)
    expect(await stored(id)).toEqual(row)
  })

  it('a row of an older pepper still verifies and moves to the current one; a retired pepper id matches nothing', async () => {
    const s = await supplierWithGifts(2)
    const old = await new PepperedPinHasher([older]).hash(s.code as SupplierCode, '8642')
    const id = await insertAccount(s.code, older.id, old.secret)
    expect((await use(s, s.gifts[0]!, '8642')).status).toBe(200)
    const row = await eventually(
      () => stored(id),
      (r) => r['key_id'] === current.id,
    )
    expect(row['key_id']).toBe(current.id)

    const retired = await new PepperedPinHasher([{ id: 'retired', secret: older.secret }]).hash(s.code as SupplierCode, '9753')
    await insertAccount(s.code, 'retired', retired.secret)
    expect((await use(s, s.gifts[1]!, '9753')).body.error.code).toBe('INVALID_PIN')
  })
})

describe('without GIFT_PIN_PEPPER', () => {
  const { GIFT_PIN_PEPPER: _unset, ...rest } = env as unknown as Env & { GIFT_PIN_PEPPER?: string }
  const noPepperEnv = rest as Env

  async function callWithoutPepper(method: string, path: string, body: unknown, token?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) }
    const ctx = createExecutionContext()
    const req = new Request(`http://worker.test${path}`, { method, headers, body: JSON.stringify(body) })
    const res = await worker.fetch(req as Request<unknown, IncomingRequestCfProperties>, noPepperEnv, ctx)
    const json = (await res.json()) as { error: { code: string } }
    await waitOnExecutionContext(ctx)
    return { status: res.status, body: json }
  }

  it('redemption and account creation answer 503 GIFT_PIN_PEPPER_MISSING and change nothing', async () => {
    const s = await supplierWithGifts(1)
    await addAccount(s.code, '4826')

    const r = await callWithoutPepper('POST', '/api/gifts/use', { gift_id: s.gifts[0], supplier_invoice_no: s.invoiceNo, pin: '4826' })
    expect([r.status, r.body.error.code]).toEqual([503, 'GIFT_PIN_PEPPER_MISSING'])
    expect((await call('GET', `/api/gifts/${s.gifts[0]}`, { token: admin })).body.gift.gift_status).toBe(0)

    const invoiceNo = `ACC-${uniq()}`
    const c = await callWithoutPepper(
      'POST',
      `/api/admin/suppliers/${s.code}/accounts`,
      { supplier_account_invoice_no: invoiceNo, supplier_account_name: 'x', pin: '1234' },
      admin,
    )
    expect([c.status, c.body.error.code]).toEqual([503, 'GIFT_PIN_PEPPER_MISSING'])
    expect(await sharedSql()`select 1 from supplier_accounts where supplier_account_invoice_no = ${invoiceNo}`).toHaveLength(0)

    // The rest of the service keeps working without it.
    const health = await callWithoutPepper(
      'POST',
      '/api/admin/suppliers',
      { supplier_code: `Q-${uniq()}`, supplier_name: 'q', supplier_invoice_no: `QINV-${uniq()}` },
      admin,
    )
    expect(health.status).toBe(201)
  })
})
