import Papa from 'papaparse'
import { err, ok, type Result } from '../../shared/result.ts'
import type { PayPayTxStatus } from './paypay-request.ts'

/**
 * Daily transaction-history files (seed 000, last section): every cashback and reversal requested
 * on one business day (JST), as CSV. Ours are written by a scheduled job; PayPay's, uploaded by an
 * admin, are read with the same columns (header names in snake_case or PayPay's camelCase) and
 * matched against our records.
 */
export const HISTORY_SOURCES = ['ours', 'paypay'] as const
export type HistorySource = (typeof HISTORY_SOURCES)[number]

export interface HistoryFile {
  readonly id: string
  readonly source: HistorySource
  /** JST calendar day, YYYY-MM-DD. */
  readonly businessDate: string
  readonly objectKey: string
  readonly rowCount: number
  readonly sha256: string
  readonly createdBy: string
  readonly createdAt: Date
  readonly updatedAt: Date
}

export type TransactionType = 'cashback' | 'reversal'

export interface HistoryRow {
  readonly transactionType: TransactionType
  readonly merchantCashbackId: string
  readonly merchantCashbackReversalId: string | null
  readonly userId: string | null
  /** JPY. */
  readonly amount: number
  readonly currency: string
  /** In PayPay's words: ACCEPTED, SUCCESS or FAILURE. */
  readonly status: PayPayTxStatus | string
  readonly requestedAt: string | null
  readonly completedAt: string | null
}

export const HISTORY_COLUMNS = [
  'transaction_type',
  'merchant_cashback_id',
  'merchant_cashback_reversal_id',
  'user_id',
  'amount',
  'currency',
  'status',
  'requested_at',
  'completed_at',
] as const

export const historyObjectKey = (source: HistorySource, businessDate: string) => `paypay/history/${source}/${businessDate}.csv`

// ---- JST business days -------------------------------------------------------------------------

const JST_OFFSET_MS = 9 * 60 * 60 * 1000
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

export function isBusinessDate(s: string): boolean {
  const m = DATE.exec(s)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.toISOString().slice(0, 10) === s
}

/** The JST calendar day an instant falls on. */
export const jstDate = (at: Date): string => new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10)

/** The day before the JST day of `now`: what the 00:00 JST run exports. */
export const previousJstDate = (now: Date): string => jstDate(new Date(now.getTime() - 24 * 60 * 60 * 1000))

/** [from, to) in UTC of a JST day. */
export function jstDayWindow(businessDate: string): { from: Date; to: Date } {
  const from = new Date(Date.parse(`${businessDate}T00:00:00.000Z`) - JST_OFFSET_MS)
  return { from, to: new Date(from.getTime() + 24 * 60 * 60 * 1000) }
}

// ---- CSV (RFC 4180) ----------------------------------------------------------------------------
// papaparse: pure JS with no Node globals, so the domain stays runtime-free in workerd and Deno.

export function toCsv(rows: readonly HistoryRow[]): string {
  const data = rows.map((r) => [
    r.transactionType,
    r.merchantCashbackId,
    r.merchantCashbackReversalId ?? '',
    r.userId ?? '',
    String(r.amount),
    r.currency,
    r.status,
    r.requestedAt ?? '',
    r.completedAt ?? '',
  ])
  return `${Papa.unparse([[...HISTORY_COLUMNS], ...data], { newline: '\r\n' })}\r\n`
}

/** Splits CSV text into records; quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): Result<string[][], string> {
  const parsed = Papa.parse<string[]>(text, { delimiter: ',', skipEmptyLines: true })
  const quoteError = parsed.errors.find((e) => e.type === 'Quotes')
  if (quoteError) return err(`record ${(quoteError.row ?? 0) + 1}: ${quoteError.message.toLowerCase()}`)
  return ok(parsed.data)
}

const ALIASES: Record<string, (typeof HISTORY_COLUMNS)[number]> = {
  transactiontype: 'transaction_type',
  type: 'transaction_type',
  merchantcashbackid: 'merchant_cashback_id',
  merchantcashbackreversalid: 'merchant_cashback_reversal_id',
  userid: 'user_id',
  amount: 'amount',
  currency: 'currency',
  status: 'status',
  requestedat: 'requested_at',
  completedat: 'completed_at',
}
const normalise = (h: string) =>
  ALIASES[
    h
      .trim()
      .toLowerCase()
      .replace(/[_\s-]/g, '')
  ]

/** Reads a history file (ours or PayPay's): merchant_cashback_id, amount and status are required. */
export function readHistoryCsv(text: string, maxRows = 100_000): Result<HistoryRow[], string> {
  const parsed = parseCsv(text)
  if (!parsed.ok) return parsed
  const [header, ...records] = parsed.value
  if (!header) return err('the file is empty')
  const cols = header.map(normalise)
  const at = (name: (typeof HISTORY_COLUMNS)[number]) => cols.indexOf(name)
  for (const required of ['merchant_cashback_id', 'amount', 'status'] as const) {
    if (at(required) < 0) return err(`missing column ${required}`)
  }
  if (records.length > maxRows) return err(`more than ${maxRows} rows`)
  const rows: HistoryRow[] = []
  for (const [n, rec] of records.entries()) {
    const get = (name: (typeof HISTORY_COLUMNS)[number]) => {
      const i = at(name)
      const v = i < 0 ? '' : (rec[i] ?? '').trim()
      return v
    }
    const id = get('merchant_cashback_id')
    if (id === '') return err(`row ${n + 2}: merchant_cashback_id is empty`)
    const amountText = get('amount')
    if (!/^\d+$/.test(amountText)) return err(`row ${n + 2}: amount must be a whole number of JPY`)
    const reversalId = get('merchant_cashback_reversal_id')
    const type = get('transaction_type').toLowerCase()
    rows.push({
      transactionType: type === 'reversal' || (type === '' && reversalId !== '') ? 'reversal' : 'cashback',
      merchantCashbackId: id,
      merchantCashbackReversalId: reversalId || null,
      userId: get('user_id') || null,
      amount: Number(amountText),
      currency: get('currency') || 'JPY',
      status: get('status').toUpperCase(),
      requestedAt: get('requested_at') || null,
      completedAt: get('completed_at') || null,
    })
  }
  return ok(rows)
}

// ---- reconciliation ----------------------------------------------------------------------------

export type MatchProblem = 'missing_in_ours' | 'missing_in_paypay' | 'amount_mismatch' | 'status_mismatch'

export interface MatchedRow {
  readonly key: string
  readonly transactionType: TransactionType
  readonly merchantCashbackId: string
  readonly merchantCashbackReversalId: string | null
  readonly ours: HistoryRow | null
  readonly paypay: HistoryRow | null
  /** Empty when both sides agree. */
  readonly problems: readonly MatchProblem[]
}

export const transactionKey = (r: Pick<HistoryRow, 'merchantCashbackId' | 'merchantCashbackReversalId'>) =>
  r.merchantCashbackReversalId ? `reversal:${r.merchantCashbackReversalId}` : `cashback:${r.merchantCashbackId}`

/** Pairs PayPay's rows with ours by id; every disagreement is listed on its row. */
export function reconcile(ours: readonly HistoryRow[], paypay: readonly HistoryRow[]): MatchedRow[] {
  const mine = new Map(ours.map((r) => [transactionKey(r), r]))
  const theirs = new Map(paypay.map((r) => [transactionKey(r), r]))
  const keys = [...new Set([...theirs.keys(), ...mine.keys()])]
  return keys.map((key) => {
    const o = mine.get(key) ?? null
    const p = theirs.get(key) ?? null
    const problems: MatchProblem[] = []
    if (!o) problems.push('missing_in_ours')
    if (!p) problems.push('missing_in_paypay')
    if (o && p && o.amount !== p.amount) problems.push('amount_mismatch')
    if (o && p && o.status.toUpperCase() !== p.status.toUpperCase()) problems.push('status_mismatch')
    const any = (p ?? o)!
    return {
      key,
      transactionType: any.transactionType,
      merchantCashbackId: any.merchantCashbackId,
      merchantCashbackReversalId: any.merchantCashbackReversalId,
      ours: o,
      paypay: p,
      problems,
    }
  })
}
