/**
 * Reads seed 002's three tables (gift_codes, suppliers, supplier_accounts, in the seed's column
 * names, PINs in plain text) from the shop system's Postgres or from CSV files with a header row.
 * Every value comes out as a string or null (empty CSV cells are null), so both sources are
 * validated by the same rules.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import Papa from 'papaparse'
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
  const order: Record<Table, string> = {
    suppliers: 'supplier_code',
    supplier_accounts: 'supplier_account_invoice_no',
    gift_codes: 'gift_id',
  }
  try {
    const out = {} as Record<Table, SourceRow[]>
    for (const table of TABLES) {
      const rows = await sql.unsafe(`select * from ${table} order by ${order[table]}`).catch((e: Error) => {
        throw new FatalImportError(`${table}: cannot read from the source database (${e.message})`)
      })
      checkColumns(
        table,
        rows.columns.map((c) => c.name),
      )
      out[table] = rows.map((r, i) => ({ row: i + 1, cells: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(v)])) }))
    }
    return out
  } finally {
    await sql.end()
  }
}

/** Reads `<dir>/<table>.csv` (UTF-8, header row, comma separated); a row's number is the file line it starts on. */
export async function readCsv(dir: string): Promise<SourceTables> {
  const out = {} as Record<Table, SourceRow[]>
  for (const table of TABLES) {
    const file = join(dir, `${table}.csv`)
    const text = await readFile(file, 'utf8').catch((e: Error) => {
      throw new FatalImportError(`${table}: cannot read ${file} (${e.message})`)
    })
    const [first, ...records] = csvRecords(text, (why) => new FatalImportError(`${table}: ${file} is not valid CSV (${why})`))
    const header = first?.fields ?? []
    checkColumns(table, header)
    out[table] = records.map(({ line, fields }) => ({
      row: line,
      cells: Object.fromEntries(header.map((name, i) => [name, fields[i] === '' ? null : fields[i]!])),
    }))
  }
  return out
}

/**
 * Splits CSV text into records, each with the file line it starts on (a quoted field may span
 * lines), with papaparse, the CSV reader the service itself uses (src/loyalty/domain/history.ts).
 * Empty lines are skipped and a byte-order mark is dropped; an unterminated or malformed quote, or
 * a record with another number of fields than the header, is refused.
 */
function csvRecords(text: string, invalid: (why: string) => Error): Array<{ line: number; fields: string[] }> {
  const body = text.replace(/^\uFEFF/, '')
  const records: Array<{ line: number; fields: string[] }> = []
  const isBreak = (i: number) => body[i] === '\n' || body[i] === '\r'
  let pos = 0
  let line = 1
  let problem: string | undefined
  Papa.parse<string[]>(body, {
    delimiter: ',',
    skipEmptyLines: true,
    step: (result, parser) => {
      // meta.cursor is just past the record's line break. Skipped empty lines come before the
      // record; the line breaks inside it and its own come after its first line.
      for (; pos < result.meta.cursor && isBreak(pos); pos++) if (body[pos] === '\n') line++
      const first = line
      for (; pos < result.meta.cursor; pos++) if (body[pos] === '\n') line++
      const fields = result.data
      const expected = records[0]?.fields.length
      if (result.errors.length > 0) problem = `line ${first}: ${result.errors[0]!.message.toLowerCase()}`
      else if (expected !== undefined && fields.length !== expected)
        problem = `line ${first}: ${fields.length} fields where the header has ${expected}`
      if (problem) return parser.abort()
      records.push({ line: first, fields })
    },
  })
  if (problem) throw invalid(problem)
  return records
}
