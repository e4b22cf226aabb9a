/**
 * Writes validated rows into our tables in ONE transaction (an offline tool, not a request path):
 * any database error rolls everything back. Idempotent: a row equal to what is stored is skipped,
 * so a second run reports only skips and writes nothing.
 *
 * Never undone here: a gift used on our side stays used (the shop system may still show it unused),
 * and a gift redeemed while the import runs wins (its update is guarded by gift_status = 0).
 */
import postgres from 'postgres'
import type { PepperedPinHasher } from '../../src/gifts/adapters/peppered-pin-hasher.ts'
import type { SupplierCode } from '../../src/gifts/domain/supplier.ts'
import { prefixedId } from '../../src/shared/ids.ts'
import type { Table } from './source.ts'
import type { ValidRows } from './validate.ts'

export interface Counts {
  created: number
  updated: number
  skipped: number
}
export type ImportReport = Record<Table, Counts>

class DryRun extends Error {}
type Tx = postgres.TransactionSql<Record<string, never>>
const CHUNK = 1000
const same = (a: unknown, b: unknown) =>
  a instanceof Date || b instanceof Date ? a instanceof Date && b instanceof Date && a.getTime() === b.getTime() : a === b

export async function applyImport(
  url: string,
  rows: ValidRows,
  pins: PepperedPinHasher,
  opts: { dryRun?: boolean; runId: string },
): Promise<ImportReport> {
  const report: ImportReport = {
    suppliers: { created: 0, updated: 0, skipped: 0 },
    supplier_accounts: { created: 0, updated: 0, skipped: 0 },
    gift_codes: { created: 0, updated: 0, skipped: 0 },
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await sql.begin(async (t) => {
      const tx = t as unknown as Tx
      await suppliers(tx, rows, report.suppliers)
      await accounts(tx, rows, pins, report.supplier_accounts)
      await gifts(tx, rows, report.gift_codes)
      const changed = Object.values(report).some((c) => c.created + c.updated > 0)
      if (changed) {
        await tx`insert into audit_log (actor, action, entity_type, entity_id, request_id, data, created_at)
          values ('tool:gifts-import', 'gifts.imported', 'import', ${opts.runId}, ${opts.runId}, ${tx.json(report as never)}, now())`
      }
      if (opts.dryRun) throw new DryRun()
    })
  } catch (e) {
    if (!(e instanceof DryRun)) throw e
  } finally {
    await sql.end()
  }
  return report
}

async function insertChunks(tx: Tx, table: string, values: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < values.length; i += CHUNK) await tx`insert into ${tx(table)} ${tx(values.slice(i, i + CHUNK) as never)}`
}

async function suppliers(tx: Tx, rows: ValidRows, c: Counts): Promise<void> {
  const existing = new Map(
    (
      await tx`select supplier_code, supplier_name, supplier_invoice_no from suppliers where supplier_code = any(${rows.suppliers.map((s) => s.code)})`
    ).map((r) => [r['supplier_code'] as string, r]),
  )
  const fresh = []
  for (const s of rows.suppliers) {
    const old = existing.get(s.code)
    if (!old) fresh.push({ supplier_code: s.code, supplier_name: s.name, supplier_invoice_no: s.invoiceNo })
    else if (old['supplier_name'] === s.name && old['supplier_invoice_no'] === s.invoiceNo) c.skipped++
    else {
      await tx`update suppliers set supplier_name = ${s.name}, supplier_invoice_no = ${s.invoiceNo} where supplier_code = ${s.code}`
      c.updated++
    }
  }
  await insertChunks(tx, 'suppliers', fresh)
  c.created += fresh.length
}

async function accounts(tx: Tx, rows: ValidRows, pins: PepperedPinHasher, c: Counts): Promise<void> {
  const existing = new Map(
    (
      await tx`select supplier_account_id, supplier_account_invoice_no, supplier_code, supplier_account_name,
        supplier_account_secret_code, supplier_account_secret_key_id
        from supplier_accounts where supplier_account_invoice_no = any(${rows.accounts.map((a) => a.invoiceNo)})`
    ).map((r) => [r['supplier_account_invoice_no'] as string, r]),
  )
  const fresh = []
  for (const a of rows.accounts) {
    const code = a.supplierCode as SupplierCode
    const secret = await pins.hash(code, a.pin)
    const old = existing.get(a.invoiceNo)
    if (!old) {
      fresh.push({
        supplier_account_id: prefixedId('sacc'),
        supplier_account_invoice_no: a.invoiceNo,
        supplier_code: a.supplierCode,
        supplier_account_name: a.name,
        supplier_account_secret_code: secret.secret,
        supplier_account_secret_key_id: secret.keyId,
      })
      continue
    }
    // The stored PIN is compared by checking the source's PIN against it (it is never readable).
    const stored = {
      accountId: old['supplier_account_id'] as string,
      keyId: old['supplier_account_secret_key_id'] as string | null,
      secret: old['supplier_account_secret_code'] as string,
    }
    const pin = await pins.check(code, a.pin, [stored])
    const unchanged =
      old['supplier_code'] === a.supplierCode && old['supplier_account_name'] === a.name && pin.matched && pin.stale.length === 0
    if (unchanged) {
      c.skipped++
      continue
    }
    await tx`update supplier_accounts set supplier_code = ${a.supplierCode}, supplier_account_name = ${a.name},
        supplier_account_secret_code = ${secret.secret}, supplier_account_secret_key_id = ${secret.keyId}
      where supplier_account_id = ${stored.accountId}`
    c.updated++
  }
  await insertChunks(tx, 'supplier_accounts', fresh)
  c.created += fresh.length
}

async function gifts(tx: Tx, rows: ValidRows, c: Counts): Promise<void> {
  const ids = rows.gifts.map((g) => g.giftId)
  const existing = new Map<string, Record<string, unknown>>()
  for (let i = 0; i < ids.length; i += CHUNK) {
    for (const r of await tx`select * from gift_codes where gift_id = any(${ids.slice(i, i + CHUNK)})`)
      existing.set(r['gift_id'] as string, r)
  }
  const fresh = []
  for (const g of rows.gifts) {
    const values = {
      gift_status: g.used ? 1 : 0,
      gift_used_datetime: g.usedAt,
      gift_amount: g.amount,
      gift_currency: g.currency,
      gift_valid_from: g.validFrom,
      gift_valid_until: g.validUntil,
      used_supplier_code: g.usedSupplierCode,
      used_invoice_no: g.usedInvoiceNo,
    }
    const old = existing.get(g.giftId)
    if (!old) {
      fresh.push({ gift_id: g.giftId, ...values })
      continue
    }
    const unchanged = Object.entries(values).every(([k, v]) => same(v, old[k]))
    if (unchanged || old['gift_status'] === 1) {
      c.skipped++
      continue
    }
    const [updated] =
      await tx`update gift_codes set ${tx(values as never)} where gift_id = ${g.giftId} and gift_status = 0 returning gift_id`
    if (updated) c.updated++
    else c.skipped++
  }
  await insertChunks(tx, 'gift_codes', fresh)
  c.created += fresh.length
}
