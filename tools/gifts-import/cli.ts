/**
 * `npm run gifts:import -- --from postgres://... | --csv dir/ [--to postgres://...] [--gift-amount N
 * --gift-currency XXX] [--skip-invalid] [--dry-run]`
 *
 * Brings a shop system's gift data (seed 002: gift_codes, suppliers, supplier_accounts with plain
 * PINs) into this service's tables, hashing every PIN with the current GIFT_PIN_PEPPER on the way
 * in. By default any refused row stops the import with nothing written; --skip-invalid imports the
 * valid rows and lists the refused ones. Exit status: 0 imported, 1 refused rows or a fatal error.
 */
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { databaseUrl } from '../db/database-url.ts'
import { applyImport, type ImportReport } from './apply.ts'
import { pinHasherFromEnv } from './pepper.ts'
import { FatalImportError, readCsv, readPostgres, TABLES } from './source.ts'
import { formatRowError, validate, type GiftDefaults, type RowError } from './validate.ts'

export interface ImportOptions {
  readonly from?: string
  readonly csv?: string
  /** Our database; DATABASE_URL (or the local default) when absent. */
  readonly to: string
  /** GIFT_PIN_PEPPER's value (id:secret[,...]): PINs are hashed with its first pepper. */
  readonly pepper: string | undefined
  readonly defaults?: GiftDefaults
  readonly skipInvalid?: boolean
  readonly dryRun?: boolean
}

export type ImportOutcome =
  | { readonly ok: true; readonly report: ImportReport; readonly refused: readonly RowError[] }
  | { readonly ok: false; readonly fatal?: string; readonly refused: readonly RowError[] }

export async function runImport(o: ImportOptions): Promise<ImportOutcome> {
  try {
    if ((o.from === undefined) === (o.csv === undefined))
      throw new FatalImportError('give exactly one of --from postgres://... or --csv <dir>')
    const amount = o.defaults?.amount
    if (amount !== undefined && !(Number.isInteger(amount) && amount >= 0))
      throw new FatalImportError('--gift-amount must be a whole number of minor units')
    const pins = (() => {
      try {
        return pinHasherFromEnv(o.pepper)
      } catch (e) {
        throw new FatalImportError((e as Error).message)
      }
    })()
    const source = o.from !== undefined ? await readPostgres(o.from) : await readCsv(o.csv!)
    const { rows, errors } = validate(source, o.defaults, { supplierCodes: await knownSuppliers(o.to) })
    if (errors.length > 0 && !o.skipInvalid) return { ok: false, refused: errors }
    const report = await applyImport(o.to, rows, pins, { runId: `gifts-import-${new Date().toISOString()}`, dryRun: o.dryRun ?? false })
    return { ok: true, report, refused: errors }
  } catch (e) {
    if (e instanceof FatalImportError) return { ok: false, fatal: e.message, refused: [] }
    // A database error while writing: the transaction was rolled back.
    return { ok: false, fatal: `nothing imported: ${(e as Error).message}`, refused: [] }
  }
}

/** Suppliers already in our database, so accounts and used gifts may refer to them. */
async function knownSuppliers(url: string): Promise<Set<string>> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 })
  try {
    return new Set((await sql`select supplier_code from suppliers`).map((r) => r['supplier_code'] as string))
  } catch (e) {
    throw new FatalImportError(`cannot read the target database (${(e as Error).message})`)
  } finally {
    await sql.end()
  }
}

export function formatOutcome(o: ImportOutcome, dryRun = false): string {
  const lines = o.refused.map((e) => `refused ${formatRowError(e)}`)
  if (!o.ok) {
    lines.push(o.fatal ? `fatal: ${o.fatal}` : `${o.refused.length} row(s) refused: nothing imported (fix them, or pass --skip-invalid)`)
    return lines.join('\n')
  }
  for (const t of TABLES) {
    const c = o.report[t]
    lines.push(`${t.padEnd(18)} created ${c.created}  updated ${c.updated}  skipped ${c.skipped}`)
  }
  if (dryRun) lines.push('dry run: rolled back, nothing written')
  return lines.join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      csv: { type: 'string' },
      to: { type: 'string' },
      'gift-amount': { type: 'string' },
      'gift-currency': { type: 'string' },
      'skip-invalid': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
    },
  })
  const amount = values['gift-amount']
  const outcome = await runImport({
    ...(values.from !== undefined && { from: values.from }),
    ...(values.csv !== undefined && { csv: values.csv }),
    to: values.to ?? databaseUrl(),
    pepper: process.env['GIFT_PIN_PEPPER'],
    defaults: {
      ...(amount !== undefined && { amount: Number(amount) }),
      ...(values['gift-currency'] && { currency: values['gift-currency'] }),
    },
    skipInvalid: values['skip-invalid'] ?? false,
    dryRun: values['dry-run'] ?? false,
  })
  console.log(formatOutcome(outcome, values['dry-run']))
  process.exitCode = outcome.ok ? 0 : 1
}
