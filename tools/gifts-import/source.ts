/**
 * Reads seed 002's three tables (gift_codes, suppliers, supplier_accounts, in the seed's column
 * names, PINs in plain text) from the shop system's Postgres or from CSV files with a header row.
 * Every value comes out as a string or null (empty CSV cells are null), so both sources are
 * validated by the same rules.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import postgres from 'postgres'

export const TABLES = ['suppliers', 'supplier_accounts', 'gift_codes'] as const
export type Table = (typeof TABLES)[number]

/** One source row: its cells by column name and where it came from (for error messages). */
export interface SourceRow {
  readonly row: number
  readonly cells: Readonly<Record<string, string | null>>
}

export type SourceTables = Record<Table, readonly SourceRow[]>

/** The columns each table must have; the others listed in the README are optional. */
export const REQUIRED_COLUMNS: Record<Table, readonly string[]> = {
  suppliers: ['supplier_code', 'supplier_invoice_no'],
  supplier_accounts: ['supplier_account_invoice_no', 'supplier_code', 'supplier_account_secret_code'],
  gift_codes: ['gift_id', 'gift_status'],
}

/** A problem that stops the whole import (nothing is written). */
export class FatalImportError extends Error {
  override readonly name = 'FatalImportError'
}

const cell = (v: unknown): string | null => {
  if (v === null || v === undefined) return null
  if (v instanceof Date) return v.toISOString()
  return String(v)
}

function checkColumns(table: Table, columns: readonly string[]): void {
  const missing = REQUIRED_COLUMNS[table].filter((c) => !columns.includes(c))
  if (missing.length) throw new FatalImportError(`${table}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`)
}

/** Reads the tables with `select *`, ordered by their key so row numbers are stable between runs. */
export async function readPostgres(url: string): Promise<SourceTables> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 })
  const order: Record<Table, string> = { suppliers: 'supplier_code', supplier_accounts: 'supplier_account_invoice_no', gift_codes: 'gift_id' }
  try {
    const out = {} as Record<Table, SourceRow[]>
    for (const table of TABLES) {
      const rows = await sql.unsafe(`select * from ${table} order by ${order[table]}`).catch((e: Error) => {
        throw new FatalImportError(`${table}: cannot read from the source database (${e.message})`)
      })
      checkColumns(table, rows.columns.map((c) => c.name))
      out[table] = rows.map((r, i) => ({ row: i + 1, cells: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(v)])) }))
    }
    return out
  } finally {
    await sql.end()
  }
}

/** Reads `<dir>/<table>.csv` (UTF-8, header row, comma separated); row numbers are file lines. */
export async function readCsv(dir: string): Promise<SourceTables> {
  const out = {} as Record<Table, SourceRow[]>
  for (const table of TABLES) {
    const file = join(dir, `${table}.csv`)
    const text = await readFile(file, 'utf8').catch((e: Error) => {
      throw new FatalImportError(`${table}: cannot read ${file} (${e.message})`)
    })
    let records: Array<{ record: Record<string, string>; info: { lines: number } }>
    try {
      records = parse(text, { columns: true, bom: true, skip_empty_lines: true, info: true, trim: false })
    } catch (e) {
      throw new FatalImportError(`${table}: ${file} is not valid CSV (${(e as Error).message})`)
    }
    const header = parse(text, { bom: true, to_line: 1 }) as string[][]
    checkColumns(table, header[0] ?? [])
    out[table] = records.map(({ record, info }) => ({
      row: info.lines,
      cells: Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v === '' ? null : v])),
    }))
  }
  return out
}
