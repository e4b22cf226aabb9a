/**
 * Per-row checks of the source tables, before anything is written. Each refused row gets one
 * error naming its table, row and key, and the reason; a row that depends on a refused one (an
 * account of a refused supplier) is refused too, saying so.
 */
import type { SourceRow, SourceTables, Table } from './source.ts'

export interface RowError {
  readonly table: Table
  readonly row: number
  readonly key: string
  readonly reason: string
}

export const formatRowError = (e: RowError) => `${e.table} row ${e.row} (${e.key}): ${e.reason}`

export interface SupplierIn {
  readonly code: string
  readonly name: string
  readonly invoiceNo: string
}

/** Matched to our accounts by invoice number (unique); new accounts get ids of our own. */
export interface AccountIn {
  readonly invoiceNo: string
  readonly supplierCode: string
  readonly name: string
  /** The plain PIN from the source: hashed before it is written, never stored or printed. */
  readonly pin: string
}

export interface GiftIn {
  readonly giftId: string
  readonly used: boolean
  readonly usedAt: Date | null
  readonly amount: number
  readonly currency: string
  readonly validFrom: Date | null
  readonly validUntil: Date | null
  readonly usedSupplierCode: string | null
  readonly usedInvoiceNo: string | null
}

export interface ValidRows {
  readonly suppliers: SupplierIn[]
  readonly accounts: AccountIn[]
  readonly gifts: GiftIn[]
}

/** Used for gift rows without gift_amount / gift_currency (seed 002 names no amount). */
export interface GiftDefaults {
  readonly amount?: number
  readonly currency?: string
}

class Refused extends Error {}
const refuse = (reason: string): never => {
  throw new Refused(reason)
}

const MAX_INT = 2_147_483_647

function text(r: SourceRow, col: string, opts: { required?: boolean; max?: number } = {}): string | null {
  const v = r.cells[col] ?? null
  if (v === null || v.trim() === '') return opts.required ? refuse(`${col} is empty`) : null
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(v)) refuse(`${col} contains a control character`)
  if (v.length > (opts.max ?? 200)) refuse(`${col} is longer than ${opts.max ?? 200} characters`)
  return v
}

function instant(r: SourceRow, col: string): Date | null {
  const v = text(r, col)
  if (v === null) return null
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`) // no zone: the shop system's UTC
  return Number.isNaN(d.getTime()) ? refuse(`${col} is not a date and time: ${JSON.stringify(v)}`) : d
}

export function validate(src: SourceTables, defaults: GiftDefaults = {}, known: { supplierCodes?: ReadonlySet<string> } = {}) {
  const errors: RowError[] = []
  const out: ValidRows = { suppliers: [], accounts: [], gifts: [] }
  const each = <T>(table: Table, keyCol: string, rows: readonly SourceRow[], check: (r: SourceRow) => T, push: (v: T) => void) => {
    const seen = new Set<string>()
    for (const r of rows) {
      const key = `${keyCol}=${r.cells[keyCol] ?? '(empty)'}`
      try {
        const k = r.cells[keyCol]
        if (k && seen.has(k)) refuse(`${keyCol} appears more than once in the source`)
        if (k) seen.add(k)
        push(check(r))
      } catch (e) {
        if (!(e instanceof Refused)) throw e
        errors.push({ table, row: r.row, key, reason: e.message })
      }
    }
  }

  const invoices = new Set<string>()
  each(
    'suppliers',
    'supplier_code',
    src.suppliers,
    (r) => {
      const code = text(r, 'supplier_code', { required: true, max: 64 })!
      const invoiceNo = text(r, 'supplier_invoice_no', { required: true, max: 64 })!
      if (invoices.has(invoiceNo)) refuse('supplier_invoice_no is used by another supplier in the source')
      invoices.add(invoiceNo)
      return { code, invoiceNo, name: text(r, 'supplier_name') ?? code }
    },
    (s) => out.suppliers.push(s),
  )

  const refusedSuppliers = new Set(errors.map((e) => e.key.slice('supplier_code='.length)))
  const supplierKnown = (code: string) => out.suppliers.some((s) => s.code === code) || (known.supplierCodes?.has(code) ?? false)
  const supplierRef = (code: string, col: string) => {
    if (refusedSuppliers.has(code)) refuse(`${col} ${JSON.stringify(code)} names a supplier refused above`)
    if (!supplierKnown(code)) refuse(`${col} ${JSON.stringify(code)} is not a supplier (neither in the source nor in the target)`)
  }

  each(
    'supplier_accounts',
    'supplier_account_invoice_no',
    src.supplier_accounts,
    (r) => {
      const invoiceNo = text(r, 'supplier_account_invoice_no', { required: true, max: 64 })!
      const supplierCode = text(r, 'supplier_code', { required: true, max: 64 })!
      supplierRef(supplierCode, 'supplier_code')
      const pin = r.cells['supplier_account_secret_code'] ?? ''
      if (pin === '') refuse('supplier_account_secret_code (the PIN) is empty')
      if (pin.length > 64) refuse('supplier_account_secret_code (the PIN) is longer than 64 characters, the most a device may send')
      // The PIN itself is never echoed in an error.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
      if (/[\u0000-\u001f\u007f]/.test(pin)) refuse('supplier_account_secret_code (the PIN) contains a control character')
      return { invoiceNo, supplierCode, name: text(r, 'supplier_account_name') ?? invoiceNo, pin }
    },
    (a) => out.accounts.push(a),
  )

  each(
    'gift_codes',
    'gift_id',
    src.gift_codes,
    (r) => {
      const giftId = text(r, 'gift_id', { required: true, max: 64 })!
      const status = text(r, 'gift_status', { required: true })
      if (status !== '0' && status !== '1') refuse(`gift_status must be 0 (unused) or 1 (used), not ${JSON.stringify(status)}`)
      const used = status === '1'
      const usedAt = instant(r, 'gift_used_datetime')
      if (used && !usedAt) refuse('gift_status is 1 (used) but gift_used_datetime is empty')
      if (!used && usedAt) refuse('gift_status is 0 (unused) but gift_used_datetime is set')
      const amountText = text(r, 'gift_amount')
      const amount = amountText === null ? defaults.amount : Number(amountText)
      if (amount === undefined) refuse('gift_amount is empty and no --gift-amount default was given')
      if (!Number.isInteger(amount) || amount! < 0 || amount! > MAX_INT)
        refuse(`gift_amount must be a whole number of minor units from 0 to ${MAX_INT}, not ${JSON.stringify(amountText)}`)
      const currency =
        text(r, 'gift_currency') ?? defaults.currency ?? refuse('gift_currency is empty and no --gift-currency default was given')
      if (!/^[A-Z]{3}$/.test(currency)) refuse(`gift_currency must be an ISO 4217 code in upper case, not ${JSON.stringify(currency)}`)
      const validFrom = instant(r, 'gift_valid_from')
      const validUntil = instant(r, 'gift_valid_until')
      if (validFrom && validUntil && validFrom >= validUntil) refuse('gift_valid_until is not after gift_valid_from')
      const usedSupplierCode = text(r, 'used_supplier_code', { max: 64 })
      if (usedSupplierCode !== null) supplierRef(usedSupplierCode, 'used_supplier_code')
      return {
        giftId,
        used,
        usedAt,
        amount: amount!,
        currency,
        validFrom,
        validUntil,
        usedSupplierCode,
        usedInvoiceNo: text(r, 'used_invoice_no', { max: 64 }),
      }
    },
    (g) => out.gifts.push(g),
  )

  return { rows: out, errors }
}
