import type { Cashback } from '../domain/cashback.ts'
import { applyCashbackStatus } from './cashback-status.ts'
import { giveCashback } from './give-cashback.ts'
import type { LoyaltyDeps } from './loyalty-deps.ts'

export interface CheckOptions {
  /** Overrides of the settings (tests, manual runs); the schedule sends none. */
  readonly checkAfterMs?: number
  readonly redriveAfterMs?: number
  readonly notFoundResendAfterMs?: number
  readonly limit?: number
  readonly requestId: string
}

export interface CashbackCheckReport {
  checked: number
  succeeded: number
  failed: number
  still_accepted: number
  not_found: number
  resent: number
  redriven: number
  errors: number
}

/**
 * The 5-minute check (seed 000 "Check status cashback granted", seed 001's scheduled task for
 * "when callback doesn't work"). For each cashback accepted a few minutes ago, Check Cashback
 * Details decides: SUCCESS completes it, FAILURE credits the points back; TRANSACTION_NOT_FOUND is
 * waited out, then Give is re-sent with the same merchantCashbackId (PayPay's FAQ: a new id risks
 * a double grant). Cashbacks still `requested` long after creation (lost publish, dead-lettered
 * job) are given again. Every change is a guarded transition, so overlapping runs apply each once.
 */
export async function checkCashbacks(
  deps: Pick<LoyaltyDeps, 'cashbacks' | 'links' | 'paypay' | 'clock' | 'logger' | 'settings'>,
  opts: CheckOptions,
): Promise<CashbackCheckReport> {
  const r: CashbackCheckReport = { checked: 0, succeeded: 0, failed: 0, still_accepted: 0, not_found: 0, resent: 0, redriven: 0, errors: 0 }
  if (!deps.paypay) return r
  const s = { ...deps.settings, ...definedOnly(opts) }
  const limit = opts.limit ?? 100
  const now = deps.clock.now()

  const accepted = await deps.cashbacks.due('accepted', new Date(now.getTime() - s.checkAfterMs), limit)
  await inBatches(accepted, 4, async (c) => {
    r.checked++
    try {
      await checkOne(deps, c, s.notFoundResendAfterMs, opts.requestId, r)
    } catch (e) {
      r.errors++
      deps.logger.error('cashback check failed', { merchant_cashback_id: c.merchantCashbackId, error: e })
    }
  })

  const stale = await deps.cashbacks.due('requested', new Date(now.getTime() - s.redriveAfterMs), limit)
  await inBatches(stale, 4, async (c) => {
    try {
      const out = await giveCashback(deps, c.merchantCashbackId, { requestId: opts.requestId })
      if (out.kind === 'retry') r.errors++
      else if (out.kind === 'done') {
        r.redriven++
        if (out.status === 'failed') r.failed++
        if (out.status === 'succeeded') r.succeeded++
      }
    } catch (e) {
      r.errors++
      deps.logger.error('cashback re-drive failed', { merchant_cashback_id: c.merchantCashbackId, error: e })
    }
  })
  if (r.checked + r.redriven + r.errors > 0) deps.logger.info('cashback check done', { ...r })
  return r
}

async function checkOne(
  deps: Parameters<typeof checkCashbacks>[0],
  c: Cashback,
  notFoundResendAfterMs: number,
  requestId: string,
  r: CashbackCheckReport,
): Promise<void> {
  const details = await deps.paypay!.checkCashback(c.merchantCashbackId)
  const now = deps.clock.now()
  if (details.ok) {
    const out = await applyCashbackStatus(deps, c, {
      status: details.data.status,
      failureCode: details.data.failureCode,
      paypayCashbackId: details.data.cashbackId,
      source: 'check',
      requestId,
    })
    if (out.kind === 'applied' && out.status === 'succeeded') r.succeeded++
    else if (out.kind === 'applied' && out.status === 'failed') r.failed++
    else if (out.status === 'accepted') r.still_accepted++
    await deps.cashbacks.noteCheck(c.merchantCashbackId, now, null)
    return
  }
  if (details.kind === 'refused' && details.code === 'TRANSACTION_NOT_FOUND') {
    r.not_found++
    const acceptedAt = (c.acceptedAt ?? c.requestedAt).getTime()
    if (now.getTime() - acceptedAt >= notFoundResendAfterMs) {
      const out = await giveCashback(deps, c.merchantCashbackId, { requestId, from: 'accepted' })
      if (out.kind === 'done' || out.kind === 'retry') r.resent++
      if (out.kind === 'done' && out.status === 'failed') r.failed++
    }
    await deps.cashbacks.noteCheck(c.merchantCashbackId, now, 'TRANSACTION_NOT_FOUND')
    return
  }
  r.errors++
  await deps.cashbacks.noteCheck(c.merchantCashbackId, now, `${details.code}: ${details.message}`)
}

export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

export async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn))
}
