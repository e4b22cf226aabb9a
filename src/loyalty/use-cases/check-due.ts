import type { PayPayGateway, PayPayResult } from '../ports.ts'
import type { LoyaltyDeps } from '../deps.ts'

export interface CheckOptions {
  /** Overrides of the settings (tests, manual runs); the schedule sends none. */
  readonly checkAfterMs?: number
  readonly redriveAfterMs?: number
  readonly notFoundResendAfterMs?: number
  readonly limit?: number
  readonly requestId: string
  /** false: only read PayPay's status and apply it, never Give / Reverse again (a notification's sweep). */
  readonly sends?: boolean
  /** Skip records checked less than this long ago (bounds what repeated sweeps ask PayPay). */
  readonly recheckAfterMs?: number
  /** Who learnt the status, for the audit rows (default `check`). */
  readonly source?: string
}

export interface CheckReport {
  checked: number
  succeeded: number
  failed: number
  still_accepted: number
  not_found: number
  resent: number
  redriven: number
  errors: number
}

type Final = 'succeeded' | 'failed'

/** A cashback or a reversal: what the checks need to know of it. */
interface DueRecord {
  readonly requestedAt: Date
  readonly acceptedAt: Date | null
}

/** What one kind of record plugs into the check; the loop and the counting are the same for both. */
export interface CheckSubject<R extends DueRecord, Id extends string, D> {
  /** Names the kind in log messages ("cashback check failed"). */
  readonly noun: string
  /** The log field that carries the record's id. */
  readonly idKey: string
  /** The records' repository (its due and noteCheck). */
  readonly records: {
    due(status: 'requested' | 'accepted', olderThan: Date, limit: number, checkedBefore?: Date): Promise<readonly R[]>
    noteCheck(id: Id, at: Date, lastError: string | null): Promise<void>
  }
  id(record: R): Id
  /** PayPay's Check … Details for the record. */
  details(paypay: PayPayGateway, record: R): Promise<PayPayResult<D>>
  /** Applies PayPay's answer; a move (`applied`) records the check in the same statement. */
  apply(record: R, details: D, checkedAt: Date): Promise<{ readonly kind: string; readonly status: string }>
  /** Give / Reverse again with the same id, if the record is still in `from`. */
  send(record: R, from: 'requested' | 'accepted'): Promise<{ readonly kind: string; readonly status?: string }>
  /** The final statuses a re-send (after not found) and a re-drive add to the succeeded / failed counts. */
  readonly counts: { readonly resend: readonly Final[]; readonly redrive: readonly Final[] }
}

/**
 * One run of a 5-minute check: every accepted record due for a check is looked up at PayPay and
 * the answer applied, a TRANSACTION_NOT_FOUND is waited out and then re-sent with the same id, and
 * records still `requested` long after creation are sent again. Rows go 4 at a time; a row that
 * throws is counted and logged, and the run goes on.
 */
export async function checkDue<R extends DueRecord, Id extends string, D>(
  deps: Pick<LoyaltyDeps, 'paypay' | 'clock' | 'logger' | 'settings'>,
  opts: CheckOptions,
  subject: CheckSubject<R, Id, D>,
): Promise<CheckReport> {
  const r: CheckReport = { checked: 0, succeeded: 0, failed: 0, still_accepted: 0, not_found: 0, resent: 0, redriven: 0, errors: 0 }
  const paypay = deps.paypay
  if (!paypay) return r
  const s = { ...deps.settings, ...definedOnly(opts) }
  const limit = opts.limit ?? 100
  const now = deps.clock.now()

  const sends = opts.sends !== false
  const checkedBefore = opts.recheckAfterMs === undefined ? undefined : new Date(now.getTime() - opts.recheckAfterMs)

  const accepted = await subject.records.due('accepted', new Date(now.getTime() - s.checkAfterMs), limit, checkedBefore)
  await inBatches(accepted, 4, async (record) => {
    r.checked++
    try {
      await checkOne(deps.clock, paypay, subject, record, sends ? s.notFoundResendAfterMs : Infinity, r)
    } catch (e) {
      r.errors++
      deps.logger.error(`${subject.noun} check failed`, { [subject.idKey]: subject.id(record), error: e })
    }
  })

  const stale = sends ? await subject.records.due('requested', new Date(now.getTime() - s.redriveAfterMs), limit) : []
  await inBatches(stale, 4, async (record) => {
    try {
      const out = await subject.send(record, 'requested')
      if (out.kind === 'retry') r.errors++
      else if (out.kind === 'done') {
        r.redriven++
        countFinal(r, out, subject.counts.redrive)
      }
    } catch (e) {
      r.errors++
      deps.logger.error(`${subject.noun} re-drive failed`, { [subject.idKey]: subject.id(record), error: e })
    }
  })
  if (r.checked + r.redriven + r.errors > 0) deps.logger.info(`${subject.noun} check done`, { ...r })
  return r
}

async function checkOne<R extends DueRecord, Id extends string, D>(
  clock: LoyaltyDeps['clock'],
  paypay: PayPayGateway,
  subject: CheckSubject<R, Id, D>,
  record: R,
  notFoundResendAfterMs: number,
  r: CheckReport,
): Promise<void> {
  const details = await subject.details(paypay, record)
  const now = clock.now()
  if (details.ok) {
    const out = await subject.apply(record, details.data, now)
    if (out.kind === 'applied' && out.status === 'succeeded') r.succeeded++
    else if (out.kind === 'applied' && out.status === 'failed') r.failed++
    else if (out.status === 'accepted') r.still_accepted++
    if (out.kind !== 'applied') await subject.records.noteCheck(subject.id(record), now, null)
    return
  }
  if (details.kind === 'refused' && details.code === 'TRANSACTION_NOT_FOUND') {
    r.not_found++
    if (now.getTime() - (record.acceptedAt ?? record.requestedAt).getTime() >= notFoundResendAfterMs) {
      const out = await subject.send(record, 'accepted')
      if (out.kind !== 'skipped') r.resent++
      if (out.kind === 'done') countFinal(r, out, subject.counts.resend)
    }
    await subject.records.noteCheck(subject.id(record), now, 'TRANSACTION_NOT_FOUND')
    return
  }
  r.errors++
  await subject.records.noteCheck(subject.id(record), now, `${details.code}: ${details.message}`)
}

function countFinal(r: CheckReport, out: { readonly status?: string }, counted: readonly Final[]): void {
  const status = counted.find((f) => f === out.status)
  if (status) r[status]++
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** Runs `fn` over `items`, `size` at a time (PayPay calls in flight stay few; the rate gate spaces them). */
export async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn))
}
