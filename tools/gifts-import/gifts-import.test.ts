import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DrizzleGiftRepository } from '../../src/gifts/adapters/drizzle-gift-repository.ts'
import { DrizzleRedemptionStore } from '../../src/gifts/adapters/drizzle-redemption-store.ts'
import type { GiftId } from '../../src/gifts/domain/gift.ts'
import type { SupplierCode } from '../../src/gifts/domain/supplier.ts'
import { redeemGift } from '../../src/gifts/use-cases/redeem-gift.ts'
import { connectDb } from '../../src/platform/db.ts'
import { systemClock } from '../../src/shared/clock.ts'
import { TEST_ENV } from '../../tests/support/test-env.ts'
import { recreateDatabase, runMigrations } from '../db/migrate.ts'
import { runImport } from './cli.ts'
import { pinHasherFromEnv } from './pepper.ts'

/**
 * `npm run gifts:import` against real Postgres: a source database laid out as seed 002's queries
 * imply (no amounts, plain-text PINs), CSV files, re-runs, refused rows, and a fatal error.
 */
const dbUrl = (suffix: string) => TEST_ENV.integrationDatabaseUrl.replace(/_it$/, `_${suffix}`)
const SOURCE = dbUrl('gimport_src')
const TARGET = dbUrl('gimport_dst')
const PEPPER = 'imp-2:gifts-import-test-pepper-current-0123456789'
const defaults = { amount: 5000, currency: 'JPY' }
let src: postgres.Sql
let dst: postgres.Sql

/** Seed 002's tables as its sequence diagram queries them; what it does not name, it lacks. */
const SEED_LAYOUT = `
  create table suppliers (supplier_code varchar(32) primary key, supplier_name varchar(200), supplier_invoice_no varchar(64) unique);
  create table supplier_accounts (id serial primary key, supplier_account_invoice_no varchar(64) unique,
    supplier_code varchar(32) references suppliers, supplier_account_name varchar(200), supplier_account_secret_code varchar(64));
  create table gift_codes (gift_id varchar(64) primary key, gift_status integer not null default 0, gift_used_datetime timestamp);`

beforeAll(async () => {
  await recreateDatabase(SOURCE)
  await recreateDatabase(TARGET)
  await runMigrations(TARGET)
  src = postgres(SOURCE, { max: 1, onnotice: () => {} })
  dst = postgres(TARGET, { max: 1, onnotice: () => {} })
  await src.unsafe(SEED_LAYOUT)
  await src`insert into suppliers values ('SUP-A', 'Alpha Travel', 'INV-A'), ('SUP-B', 'Beta Shop', 'INV-B')`
  await src`insert into supplier_accounts (supplier_account_invoice_no, supplier_code, supplier_account_name, supplier_account_secret_code)
    values ('ACC-A1', 'SUP-A', 'Alpha counter 1', '1234'), ('ACC-A2', 'SUP-A', 'Alpha counter 2', '5678'), ('ACC-B1', 'SUP-B', 'Beta counter', '0042')`
  await src`insert into gift_codes values ('GIFT-1', 0, null), ('GIFT-2', 0, null), ('GIFT-3', 0, null), ('GIFT-USED', 1, '2026-01-02 03:04:05')`
}, 60_000)

afterAll(async () => {
  await src?.end()
  await dst?.end()
})

const fromPg = (over: Partial<Parameters<typeof runImport>[0]> = {}) =>
  runImport({ from: SOURCE, to: TARGET, pepper: PEPPER, defaults, ...over })
const imports = async () => Number((await dst`select count(*)::int as n from audit_log where action = 'gifts.imported'`)[0]!['n'])

async function redeem(giftId: string, invoiceNo: string, pin: string) {
  const handle = connectDb(TARGET, { max: 1 })
  try {
    const deps = {
      gifts: new DrizzleGiftRepository(handle.db),
      redemptions: new DrizzleRedemptionStore(handle.db),
      pins: pinHasherFromEnv(PEPPER),
      lockout: { reserve: async () => ({ locked: false as const }), settle: async () => {} },
      clock: systemClock,
      defer: () => {},
    }
    const r = await redeemGift(deps, {
      giftId: giftId as GiftId,
      supplierInvoiceNo: invoiceNo,
      pin,
      actor: null,
      caller: 'test',
      requestId: 'test',
    })
    return r.ok ? 'OK' : r.error.code
  } finally {
    await handle.close()
  }
}

describe('gifts:import from Postgres (seed 002 layout)', () => {
  it('imports the three tables, hashing every PIN with the current pepper; the imported PINs redeem', async () => {
    const r = await fromPg()
    expect(r).toMatchObject({ ok: true, refused: [] })
    if (!r.ok) return
    expect(r.report).toEqual({
      suppliers: { created: 2, updated: 0, skipped: 0 },
      supplier_accounts: { created: 3, updated: 0, skipped: 0 },
      gift_codes: { created: 4, updated: 0, skipped: 0 },
    })
    const accounts = await dst`select supplier_code, supplier_account_secret_code as secret, supplier_account_secret_key_id as key_id
      from supplier_accounts where supplier_account_invoice_no = 'ACC-A1'`
    const expected = await pinHasherFromEnv(PEPPER).hash('SUP-A' as SupplierCode, '1234')
    expect(accounts).toEqual([{ supplier_code: 'SUP-A', secret: expected.secret, key_id: 'imp-2' }])
    const plain = await dst`select 1 from supplier_accounts where supplier_account_secret_code in ('1234', '5678', '0042')`
    expect(plain).toHaveLength(0)
    const used = await dst`select gift_status, gift_used_datetime, gift_amount, gift_currency from gift_codes where gift_id = 'GIFT-USED'`
    expect(used).toEqual([
      { gift_status: 1, gift_used_datetime: new Date('2026-01-02T03:04:05Z'), gift_amount: 5000, gift_currency: 'JPY' },
    ])

    expect(await redeem('GIFT-1', 'INV-A', '5678')).toBe('OK')
    expect(await redeem('GIFT-2', 'ACC-B1', '0042')).toBe('OK')
    expect(await redeem('GIFT-3', 'INV-A', '0042')).toBe('INVALID_PIN')
    expect(await redeem('GIFT-USED', 'INV-A', '1234')).toBe('GIFT_ALREADY_USED')
  })

  it('a re-run changes nothing and says so; a changed source row is updated; a gift used here stays used', async () => {
    const before = await imports()
    const again = await fromPg()
    expect(again.ok && again.report).toEqual({
      suppliers: { created: 0, updated: 0, skipped: 2 },
      supplier_accounts: { created: 0, updated: 0, skipped: 3 },
      gift_codes: { created: 0, updated: 0, skipped: 4 },
    })
    expect(await imports()).toBe(before)

    // The shop system changed a PIN and used GIFT-3; GIFT-1 was redeemed here but is unused there.
    await src`update supplier_accounts set supplier_account_secret_code = '9999' where supplier_account_invoice_no = 'ACC-A2'`
    await src`update gift_codes set gift_status = 1, gift_used_datetime = '2026-02-01 00:00:00' where gift_id = 'GIFT-3'`
    const changed = await fromPg()
    expect(changed.ok && changed.report).toEqual({
      suppliers: { created: 0, updated: 0, skipped: 2 },
      supplier_accounts: { created: 0, updated: 1, skipped: 2 },
      gift_codes: { created: 0, updated: 1, skipped: 3 },
    })
    expect(await imports()).toBe(before + 1)
    expect((await dst`select gift_status from gift_codes where gift_id = 'GIFT-1'`)[0]!['gift_status']).toBe(1)
    expect(await redeem('GIFT-3', 'INV-A', '9999')).toBe('GIFT_ALREADY_USED')
  })

  it('refuses bad rows one by one (table, row, key, reason) and imports nothing', async () => {
    await src`insert into suppliers values ('SUP-C', 'Gamma', 'INV-C')`
    await src`insert into supplier_accounts (supplier_account_invoice_no, supplier_code, supplier_account_name, supplier_account_secret_code)
      values ('ACC-C1', 'SUP-C', 'Gamma counter', ''), ('ACC-C2', 'SUP-C', 'Gamma counter 2', '7777')`
    await src`insert into gift_codes values ('GIFT-BAD', 2, null), ('GIFT-4', 0, null)`
    const counts = async () =>
      (
        await dst`select (select count(*) from suppliers)::int s, (select count(*) from supplier_accounts)::int a, (select count(*) from gift_codes)::int g`
      )[0]
    const before = await counts()
    const r = await fromPg()
    expect(r.ok).toBe(false)
    expect(r.refused).toEqual([
      {
        table: 'supplier_accounts',
        row: 4,
        key: 'supplier_account_invoice_no=ACC-C1',
        reason: 'supplier_account_secret_code (the PIN) is empty',
      },
      { table: 'gift_codes', row: 5, key: 'gift_id=GIFT-BAD', reason: 'gift_status must be 0 (unused) or 1 (used), not "2"' },
    ])
    expect(await counts()).toEqual(before)

    // --skip-invalid imports the rest and still lists what it refused.
    const partial = await fromPg({ skipInvalid: true })
    expect(partial.ok && partial.report).toMatchObject({
      suppliers: { created: 1 },
      supplier_accounts: { created: 1 },
      gift_codes: { created: 1 },
    })
    expect(partial.refused).toHaveLength(2)
    await src`delete from supplier_accounts where supplier_account_invoice_no = 'ACC-C1'`
    await src`delete from gift_codes where gift_id = 'GIFT-BAD'`
  })

  it('a fatal error while writing (an invoice number taken here) rolls everything back', async () => {
    await dst`insert into suppliers (supplier_code, supplier_name, supplier_invoice_no) values ('LOCAL', 'Local', 'INV-TAKEN')`
    await src`insert into suppliers values ('SUP-D', 'Delta', 'INV-TAKEN')`
    await src`insert into gift_codes values ('GIFT-5', 0, null)`
    const r = await fromPg()
    expect(r).toMatchObject({ ok: false, refused: [] })
    if (!r.ok) expect(r.fatal).toMatch(/^nothing imported: .*suppliers_supplier_invoice_no/)
    expect(await dst`select 1 from gift_codes where gift_id = 'GIFT-5'`).toHaveLength(0)
    await src`delete from suppliers where supplier_code = 'SUP-D'`
  })

  it('refuses to run without a pepper, or with a source lacking a column the seed names', async () => {
    expect(await fromPg({ pepper: undefined })).toMatchObject({ ok: false, fatal: expect.stringMatching(/GIFT_PIN_PEPPER is not set/) })
    const dir = await mkdtemp(join(tmpdir(), 'gifts-import-'))
    await writeFile(join(dir, 'suppliers.csv'), 'supplier_code,supplier_name\nX,Y\n')
    const r = await runImport({ csv: dir, to: TARGET, pepper: PEPPER })
    expect(r).toMatchObject({ ok: false, fatal: 'suppliers: missing column supplier_invoice_no' })
  })
})

describe('gifts:import from CSV', () => {
  const files = {
    'suppliers.csv': 'supplier_code,supplier_name,supplier_invoice_no\nCSV-S,"Shop, with comma",CSV-INV\n',
    'supplier_accounts.csv':
      'supplier_account_invoice_no,supplier_code,supplier_account_name,supplier_account_secret_code\nCSV-ACC,CSV-S,Counter,2468\n',
    'gift_codes.csv':
      'gift_id,gift_status,gift_used_datetime,gift_amount,gift_currency,gift_valid_from,gift_valid_until\n' +
      'CSV-G1,0,,1200,USD,2026-01-01T00:00:00Z,2099-01-01T00:00:00Z\nCSV-G2,1,2026-03-01T10:00:00Z,800,USD,,\n',
  }
  async function csvDir(over: Partial<typeof files> = {}) {
    const dir = await mkdtemp(join(tmpdir(), 'gifts-import-'))
    for (const [name, text] of Object.entries({ ...files, ...over })) await writeFile(join(dir, name), text)
    return dir
  }

  it('imports, then a re-run skips everything; a bad row names its file line', async () => {
    const dir = await csvDir()
    const first = await runImport({ csv: dir, to: TARGET, pepper: PEPPER })
    expect(first.ok && first.report).toEqual({
      suppliers: { created: 1, updated: 0, skipped: 0 },
      supplier_accounts: { created: 1, updated: 0, skipped: 0 },
      gift_codes: { created: 2, updated: 0, skipped: 0 },
    })
    expect((await dst`select supplier_name from suppliers where supplier_code = 'CSV-S'`)[0]!['supplier_name']).toBe('Shop, with comma')
    expect(await redeem('CSV-G1', 'CSV-INV', '2468')).toBe('OK')
    const again = await runImport({ csv: dir, to: TARGET, pepper: PEPPER })
    expect(again.ok && Object.values(again.report).every((c) => c.created === 0 && c.updated === 0)).toBe(true)

    const bad = await csvDir({ 'gift_codes.csv': `${files['gift_codes.csv']}CSV-G3,0,,12.5,usd,,\n` })
    const r = await runImport({ csv: bad, to: TARGET, pepper: PEPPER })
    expect(r.refused).toEqual([
      {
        table: 'gift_codes',
        row: 4,
        key: 'gift_id=CSV-G3',
        reason: 'gift_amount must be a whole number of minor units from 0 to 2147483647, not "12.5"',
      },
    ])
  })

  it('stops before writing anything on a file that is not valid CSV, naming its line', async () => {
    const torn = await csvDir({ 'gift_codes.csv': `${files['gift_codes.csv']}\nCSV-G4,0\n` })
    expect(await runImport({ csv: torn, to: TARGET, pepper: PEPPER })).toMatchObject({
      ok: false,
      fatal: expect.stringMatching(/^gift_codes: .*gift_codes\.csv is not valid CSV \(line 5: 2 fields where the header has 7\)$/),
    })
    const unterminated = await csvDir({
      'suppliers.csv': 'supplier_code,supplier_name,supplier_invoice_no\r\nCSV-Q,"Shop\r\nwith a line break,CSV-QINV\r\n',
    })
    expect(await runImport({ csv: unterminated, to: TARGET, pepper: PEPPER })).toMatchObject({
      ok: false,
      fatal: expect.stringMatching(/suppliers\.csv is not valid CSV \(line 2: quoted field unterminated\)$/),
    })
    expect(await dst`select 1 from gift_codes where gift_id = 'CSV-G4'`).toHaveLength(0)
  })

  it('runs as `npm run gifts:import`: counts on stdout, exit status 1 on refused rows', async () => {
    const run = promisify(execFile)
    const root = fileURLToPath(new URL('../..', import.meta.url))
    const env = { ...process.env, GIFT_PIN_PEPPER: PEPPER }
    const ok = await run('npx', ['tsx', 'tools/gifts-import/cli.ts', '--csv', await csvDir(), '--to', TARGET], { cwd: root, env })
    expect(ok.stdout).toMatch(/gift_codes\s+created 0 {2}updated 0 {2}skipped 2/)
    const bad = await csvDir({
      'supplier_accounts.csv':
        'supplier_account_invoice_no,supplier_code,supplier_account_name,supplier_account_secret_code\nX-ACC,NOPE,C,1\n',
    })
    const failed = await run('npx', ['tsx', 'tools/gifts-import/cli.ts', '--csv', bad, '--to', TARGET], { cwd: root, env }).catch(
      (e: { code: number; stdout: string }) => e,
    )
    expect('code' in failed && failed.code).toBe(1)
    expect(failed.stdout).toContain(
      'refused supplier_accounts row 2 (supplier_account_invoice_no=X-ACC): supplier_code "NOPE" is not a supplier',
    )
  }, 60_000)
})
