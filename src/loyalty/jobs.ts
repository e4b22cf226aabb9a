import { z } from 'zod'
import { DependencyUnavailable } from '../platform/dependency.ts'
import type { JobHandler } from '../platform/http/jobs.ts'
import type { MerchantCashbackId } from './domain/cashback.ts'
import type { MerchantCashbackReversalId } from './domain/reversal.ts'
import { checkCashbacks } from './use-cases/check-cashbacks.ts'
import { checkReversals } from './use-cases/check-reversals.ts'
import { giveCashback } from './use-cases/give-cashback.ts'
import { exportHistory } from './use-cases/history-files.ts'
import { LOYALTY_JOBS } from './deps.ts'
import { redrivePendingGrants } from './use-cases/redrive-grants.ts'
import { reverseCashback } from './use-cases/reverse-cashback.ts'

const GivePayload = z.object({ merchant_cashback_id: z.string().min(1).max(64) })
const ReversePayload = z.object({ merchant_cashback_reversal_id: z.string().min(1).max(64) })
/** The schedule sends `{}`; the overrides are for manual runs and tests. */
const CheckPayload = z
  .object({
    check_after_seconds: z.number().int().min(0).optional(),
    redrive_after_seconds: z.number().int().min(0).optional(),
    not_found_resend_after_seconds: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  })
  .nullable()
const ExportPayload = z.object({ business_date: z.string().optional() }).nullable()
/** The schedule sends `{}`; a run that hit its limit publishes its follow-up with `after`. */
const RedrivePayload = z
  .object({
    older_than_seconds: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(500).optional(),
    after: z.string().min(1).max(64).optional(),
  })
  .nullable()

const seconds = (s: number | undefined) => (s === undefined ? undefined : s * 1000)

/** Thrown so QStash retries the message later (same payload, so the same PayPay id). */
const retryLater = (code: string, message: string) => new DependencyUnavailable('paypay', new Error(`${code}: ${message}`))

/**
 * The loyalty jobs (QStash-signed `POST /jobs/{name}`). Each is safe to run more than once and
 * concurrently: leases keep PayPay calls single, guarded transitions and ledger keys keep effects
 * single. A transient PayPay failure throws (503) so QStash redelivers with backoff.
 */
export const loyaltyJobs: Record<string, JobHandler> = {
  [LOYALTY_JOBS.giveCashback]: async (c, payload) => {
    const p = GivePayload.safeParse(payload)
    if (!p.success) return { dropped: 'payload needs merchant_cashback_id' }
    const out = await giveCashback(c.var.deps.loyalty, p.data.merchant_cashback_id as MerchantCashbackId, { requestId: c.var.requestId })
    if (out.kind === 'retry') throw retryLater(out.code, out.message)
    return out.kind === 'done'
      ? { outcome: 'done', cashback_status: out.status }
      : { outcome: 'skipped', reason: out.reason, cashback_status: out.status ?? null }
  },
  [LOYALTY_JOBS.reverseCashback]: async (c, payload) => {
    const p = ReversePayload.safeParse(payload)
    if (!p.success) return { dropped: 'payload needs merchant_cashback_reversal_id' }
    const out = await reverseCashback(c.var.deps.loyalty, p.data.merchant_cashback_reversal_id as MerchantCashbackReversalId, {
      requestId: c.var.requestId,
    })
    if (out.kind === 'retry') throw retryLater(out.code, out.message)
    return out.kind === 'done'
      ? { outcome: 'done', reversal_status: out.status }
      : { outcome: 'skipped', reason: out.reason, reversal_status: out.status ?? null }
  },
  [LOYALTY_JOBS.checkCashbacks]: async (c, payload) => ({
    report: await checkCashbacks(c.var.deps.loyalty, checkOptions(c.var.requestId, payload)),
  }),
  [LOYALTY_JOBS.checkReversals]: async (c, payload) => ({
    report: await checkReversals(c.var.deps.loyalty, checkOptions(c.var.requestId, payload)),
  }),
  // A transient failure leaves the grant requested for the 5-minute check: the run is not retried whole.
  [LOYALTY_JOBS.redriveGrants]: async (c, payload) => {
    const p = RedrivePayload.safeParse(payload).data ?? {}
    const report = await redrivePendingGrants(c.var.deps.loyalty, {
      requestId: c.var.requestId,
      olderThanMs: seconds(p.older_than_seconds),
      limit: p.limit,
      ...(p.after && { after: p.after as MerchantCashbackId }),
    })
    return { report }
  },
  [LOYALTY_JOBS.exportHistory]: async (c, payload) => {
    const p = ExportPayload.safeParse(payload).data ?? {}
    const result = await exportHistory(c.var.deps.loyalty, {
      ...(p.business_date && { businessDate: p.business_date }),
      actor: 'system:schedule',
    })
    if (!result.ok) return { dropped: result.error.message }
    return { file_id: result.value.id, business_date: result.value.businessDate, rows: result.value.rowCount, key: result.value.objectKey }
  },
}

/** The optional overrides both 5-minute checks take from their payload. */
function checkOptions(requestId: string, payload: unknown) {
  const p = CheckPayload.safeParse(payload).data ?? {}
  return {
    requestId,
    checkAfterMs: seconds(p.check_after_seconds),
    redriveAfterMs: seconds(p.redrive_after_seconds),
    notFoundResendAfterMs: seconds(p.not_found_resend_after_seconds),
    limit: p.limit,
  }
}
