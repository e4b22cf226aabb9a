import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { loyaltyErrors, type LoyaltyError } from '../domain/errors.ts'
import {
  historyObjectKey,
  isBusinessDate,
  jstDayWindow,
  previousJstDate,
  readHistoryCsv,
  reconcile,
  toCsv,
  type HistoryFile,
  type HistoryRow,
  type HistorySource,
  type MatchedRow,
} from '../domain/history.ts'
import type { LoyaltyDeps } from '../deps.ts'

type HistoryDeps = Pick<LoyaltyDeps, 'history' | 'files' | 'clock' | 'logger'>

const CSV = 'text/csv; charset=utf-8'

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}

async function store(
  deps: HistoryDeps,
  source: HistorySource,
  businessDate: string,
  csv: string,
  rowCount: number,
  actor: string,
): Promise<HistoryFile> {
  const objectKey = historyObjectKey(source, businessDate)
  // The object first: if recording it fails, a re-run overwrites the same key.
  await deps.files.put(objectKey, csv, CSV)
  const now = deps.clock.now()
  const existing = await deps.history.findFileFor(source, businessDate)
  return deps.history.upsertFile({
    id: existing?.id ?? prefixedId('phf', now.getTime()),
    source,
    businessDate,
    objectKey,
    rowCount,
    sha256: await sha256Hex(csv),
    createdBy: actor,
    createdAt: now,
    updatedAt: now,
  })
}

/**
 * The daily export (00:00 JST): every cashback and reversal requested on the previous JST day,
 * with its current status, as one CSV in the object store, recorded in the manifest. Running it
 * again for a date rewrites that date's file and its one manifest row: never a second file.
 */
export async function exportHistory(
  deps: HistoryDeps,
  cmd: { businessDate?: string; actor: string },
): Promise<Result<HistoryFile, LoyaltyError>> {
  const businessDate = cmd.businessDate ?? previousJstDate(deps.clock.now())
  if (!isBusinessDate(businessDate)) return err(loyaltyErrors.historyFileInvalid(`${businessDate} is not a YYYY-MM-DD date`))
  const { from, to } = jstDayWindow(businessDate)
  const rows = await deps.history.transactions({ from, to })
  const file = await store(deps, 'ours', businessDate, toCsv(rows), rows.length, cmd.actor)
  deps.logger.info('paypay history exported', { business_date: businessDate, rows: rows.length, key: file.objectKey })
  return ok(file)
}

/** An admin uploads PayPay's file for a date: checked readable, stored beside ours, recorded. */
export async function uploadPayPayHistory(
  deps: HistoryDeps,
  cmd: { businessDate: string; content: string; actor: string },
): Promise<Result<HistoryFile, LoyaltyError>> {
  if (!isBusinessDate(cmd.businessDate)) return err(loyaltyErrors.historyFileInvalid(`${cmd.businessDate} is not a YYYY-MM-DD date`))
  const rows = readHistoryCsv(cmd.content)
  if (!rows.ok) return err(loyaltyErrors.historyFileInvalid(rows.error))
  return ok(await store(deps, 'paypay', cmd.businessDate, cmd.content, rows.value.length, cmd.actor))
}

async function loadRows(deps: HistoryDeps, fileId: string): Promise<Result<{ file: HistoryFile; rows: HistoryRow[] }, LoyaltyError>> {
  const file = await deps.history.findFile(fileId)
  if (!file) return err(loyaltyErrors.historyFileNotFound(fileId))
  const obj = await deps.files.get(file.objectKey)
  if (!obj) return err(loyaltyErrors.historyFileNotFound(fileId))
  const rows = readHistoryCsv(obj.body)
  if (!rows.ok) return err(loyaltyErrors.historyFileInvalid(rows.error))
  return ok({ file, rows: rows.value })
}

export interface Page<T> {
  readonly items: T[]
  readonly total: number
}

/** A file's rows, optionally only one status, a page at a time. */
export async function historyFileRows(
  deps: HistoryDeps,
  cmd: { fileId: string; status?: string; limit: number; offset: number },
): Promise<Result<{ file: HistoryFile; rows: Page<HistoryRow> }, LoyaltyError>> {
  const loaded = await loadRows(deps, cmd.fileId)
  if (!loaded.ok) return loaded
  const status = cmd.status?.toUpperCase()
  const matching = status ? loaded.value.rows.filter((r) => r.status.toUpperCase() === status) : loaded.value.rows
  return ok({ file: loaded.value.file, rows: { items: matching.slice(cmd.offset, cmd.offset + cmd.limit), total: matching.length } })
}

/**
 * PayPay's file for a date against our records: ours are the transactions requested that JST day
 * plus any other of ours the file names, with their current status. Rows with problems (missing
 * on either side, different amount or status) carry them.
 */
export async function reconcileHistoryFile(
  deps: HistoryDeps,
  cmd: { fileId: string; onlyProblems: boolean; limit: number; offset: number },
): Promise<Result<{ file: HistoryFile; rows: Page<MatchedRow>; problems: number }, LoyaltyError>> {
  const loaded = await loadRows(deps, cmd.fileId)
  if (!loaded.ok) return loaded
  const { file, rows: theirs } = loaded.value
  if (file.source !== 'paypay') return err(loyaltyErrors.historyFileInvalid('only an uploaded PayPay file is reconciled'))
  const { from, to } = jstDayWindow(file.businessDate)
  const ours = await deps.history.transactions({
    from,
    to,
    cashbackIds: theirs.filter((r) => !r.merchantCashbackReversalId).map((r) => r.merchantCashbackId),
    reversalIds: theirs.flatMap((r) => (r.merchantCashbackReversalId ? [r.merchantCashbackReversalId] : [])),
  })
  const matched = reconcile(ours, theirs)
  const problems = matched.filter((m) => m.problems.length > 0)
  const list = cmd.onlyProblems ? problems : matched
  return ok({ file, rows: { items: list.slice(cmd.offset, cmd.offset + cmd.limit), total: list.length }, problems: problems.length })
}
