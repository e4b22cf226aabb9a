import type { MerchantCashbackId } from '../domain/cashback.ts'
import { inBatches } from './check-due.ts'
import { giveCashback } from './give-cashback.ts'
import { LOYALTY_JOBS, type LoyaltyDeps } from '../deps.ts'

export interface RedriveOptions {
  readonly requestId: string
  /** Only grants requested at least this long ago (default: the 5-minute check's redriveAfterMs). */
  readonly olderThanMs?: number
  /** Grants per run; a full run hands the rest to a follow-up job (default 100). */
  readonly limit?: number
  /** Continue after this id (the follow-up job's cursor). */
  readonly after?: MerchantCashbackId
}

export interface RedriveReport {
  pending: number
  /** Sent again and answered: PayPay accepted (or had already settled) them. */
  redriven: number
  accepted: number
  succeeded: number
  failed: number
  /** Another run or the Give job held the lease, or the grant had moved on since the read. */
  skipped: number
  /** Transient PayPay failures: the grant stays requested for the next check. */
  retry: number
  errors: number
  /** Set when the run stopped at its limit and a follow-up job continues after this id. */
  continued_after: string | null
}

const DEFAULT_LIMIT = 100

/**
 * The daily 00:00 JST run (seed 001: the give-cashback worker "will be refreshed and run again
 * every 00:00 every day"): every grant PayPay has not accepted yet is given again with its own
 * merchantCashbackId, through the same `giveCashback` as the job and the 5-minute check. Its lease
 * and status guard make each grant one PayPay call however many runs, job deliveries and checks
 * overlap: a second run finds it leased (busy) or no longer requested (not pending). Accepted
 * grants are the 5-minute check's. A run covers `limit` grants by id and publishes a follow-up
 * for the rest, so one invocation stays within a Worker's subrequest budget.
 */
export async function redrivePendingGrants(
  deps: Pick<LoyaltyDeps, 'cashbacks' | 'links' | 'paypay' | 'queue' | 'clock' | 'logger' | 'settings'>,
  opts: RedriveOptions,
): Promise<RedriveReport> {
  const r: RedriveReport = {
    pending: 0,
    redriven: 0,
    accepted: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    retry: 0,
    errors: 0,
    continued_after: null,
  }
  if (!deps.paypay) return r
  const limit = opts.limit ?? DEFAULT_LIMIT
  const olderThanMs = opts.olderThanMs ?? deps.settings.redriveAfterMs
  const olderThan = new Date(deps.clock.now().getTime() - olderThanMs)
  const pending = await deps.cashbacks.pendingGrants(olderThan, opts.after ?? null, limit)
  r.pending = pending.length

  await inBatches(pending, 4, async (grant) => {
    try {
      const out = await giveCashback(deps, grant.merchantCashbackId, { requestId: opts.requestId, from: 'requested' })
      if (out.kind === 'skipped') r.skipped++
      else if (out.kind === 'retry') r.retry++
      else {
        r.redriven++
        if (out.status === 'accepted' || out.status === 'succeeded' || out.status === 'failed') r[out.status]++
      }
    } catch (e) {
      r.errors++
      deps.logger.error('grant re-drive failed', { merchant_cashback_id: grant.merchantCashbackId, error: e })
    }
  })

  const last = pending.at(-1)
  if (pending.length === limit && last) {
    r.continued_after = last.merchantCashbackId
    // Deduplicated by day and cursor: concurrent runs that stop at the same grant continue once;
    // tomorrow's run stopping there again still continues.
    await deps.queue.publish({
      name: LOYALTY_JOBS.redriveGrants,
      payload: { after: last.merchantCashbackId, limit, older_than_seconds: Math.floor(olderThanMs / 1000) },
      deduplicationId: `${LOYALTY_JOBS.redriveGrants}:${deps.clock.now().toISOString().slice(0, 10)}:${last.merchantCashbackId}`,
    })
  }
  if (r.pending > 0) deps.logger.info('pending grants re-driven', { ...r })
  return r
}
