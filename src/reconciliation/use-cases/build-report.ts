import { prefixedId } from '../../shared/ids.ts'
import {
  comparePayPay,
  comparePaystackPayment,
  comparePaystackRefunds,
  compareZaloPayRefund,
  compareZaloPaySession,
  type Mismatch,
  type ReconciliationReport,
  type UncheckedItem,
} from '../domain/mismatch.ts'
import { type AcknowledgedMismatch, fingerprintOf } from '../domain/acknowledgement.ts'
import type { ReconciliationDeps } from '../deps.ts'
import type { Page } from '../ports.ts'

/** Runs `fn` over `items` with at most `n` in flight (gateway calls stay few at a time). */
async function eachLimited<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(n, items.length)) }, async () => {
      while (next < items.length) await fn(items[next++]!)
    }),
  )
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 200)

/**
 * Compares our records with the gateways and with each other (issue 7) over a bounded window:
 * Paystack payments (verify) and refunds (refund list), orders vs payments, committed stock vs
 * reservations, ZaloPay sessions (query) and refunds (query_refund), PayPay cashbacks and reversals
 * (check details), and the points ledger. Read-only: it changes nothing, it only lists. A gateway
 * that cannot be asked leaves its items `unchecked`, never silently agreeing.
 */
export async function buildReport(deps: ReconciliationDeps, opts: { since?: Date; pageSize?: number } = {}): Promise<ReconciliationReport> {
  const started = deps.clock.now()
  const since = opts.since ?? new Date(started.getTime() - deps.settings.windowMs)
  const page: Page = { since, limit: opts.pageSize ?? deps.settings.pageSize }
  const mismatches: Mismatch[] = []
  const unchecked: UncheckedItem[] = []
  const truncated: string[] = []
  const checked: Record<string, number> = {}
  const count = <T>(section: string, rows: readonly T[], limit = page.limit): readonly T[] => {
    checked[section] = rows.length
    if (rows.length >= limit) truncated.push(section)
    return rows
  }
  const { concurrency } = deps.settings

  // ---- Paystack payments and refunds --------------------------------------------------------------
  const payments = count('paystack_payments', await deps.records.paystackPayments(page))
  if (!deps.paystack && payments.length > 0)
    unchecked.push({ source: 'paystack', subject: `${payments.length} payments`, reason: 'Paystack is not configured' })
  const paystack = deps.paystack
  let refundsChecked = 0
  if (paystack) {
    await eachLimited(payments, concurrency, async (p) => {
      try {
        const v = await paystack.verify(p.reference)
        mismatches.push(
          ...comparePaystackPayment(
            p,
            v.ok ? { found: true, status: v.value.status, amount: v.value.amount, currency: v.value.currency } : { found: false },
          ),
        )
        // Refunds exist only on charges Paystack settled; ask for those (and for any we hold).
        if (p.refunds.length > 0 || (v.ok && (v.value.status === 'success' || v.value.status === 'reversed'))) {
          const list = await paystack.listRefunds(p.reference)
          refundsChecked += p.refunds.length
          if (list.ok) mismatches.push(...comparePaystackRefunds(p, p.refunds, list.value))
          else if (p.refunds.length > 0) unchecked.push({ source: 'paystack', subject: `refunds of ${p.reference}`, reason: list.message })
        }
      } catch (e) {
        unchecked.push({ source: 'paystack', subject: p.reference, reason: reason(e) })
      }
    })
  }
  checked['paystack_refunds'] = refundsChecked

  // ---- orders vs payments, stock vs reservations (database only) -----------------------------------
  for (const o of count('orders_paid_without_payment', await deps.records.ordersPaidWithoutPayment(page)))
    mismatches.push({ kind: 'order_paid_without_payment', ...o })
  for (const p of count('payments_paid_order_not_paid', await deps.records.paymentsPaidOrderNotPaid(page)))
    mismatches.push({ kind: 'payment_paid_order_not_paid', ...p })
  for (const v of count('variants_mismatched', await deps.records.stockMismatches(page.limit))) {
    if (v.reserved !== v.activeReservations)
      mismatches.push({
        kind: 'variant_reserved_mismatch',
        variantId: v.variantId,
        sku: v.sku,
        reserved: v.reserved,
        activeReservations: v.activeReservations,
      })
    if (v.stock < 0 || v.reserved > v.stock)
      mismatches.push({ kind: 'variant_stock_invalid', variantId: v.variantId, sku: v.sku, stock: v.stock, reserved: v.reserved })
  }

  // ---- ZaloPay sessions and refunds ----------------------------------------------------------------
  const sessions = count('zalopay_sessions', await deps.records.zaloPaySessions(page))
  const zRefunds = count('zalopay_refunds', await deps.records.zaloPayRefunds(page))
  const zalopay = deps.zalopay
  if (!zalopay && sessions.length + zRefunds.length > 0)
    unchecked.push({
      source: 'zalopay',
      subject: `${sessions.length} sessions, ${zRefunds.length} refunds`,
      reason: 'ZaloPay is not configured',
    })
  if (zalopay) {
    await eachLimited(sessions, concurrency, async (s) => {
      try {
        const seen = await zalopay.queryOrder(s.appTransId)
        if (seen.status === 'unknown') unchecked.push({ source: 'zalopay', subject: s.appTransId, reason: 'query answered unknown' })
        else mismatches.push(...compareZaloPaySession(s, seen))
      } catch (e) {
        unchecked.push({ source: 'zalopay', subject: s.appTransId, reason: reason(e) })
      }
    })
    await eachLimited(zRefunds, concurrency, async (r) => {
      try {
        const seen = await zalopay.queryRefund(r.mRefundId, r.requestedAt.getTime())
        mismatches.push(...compareZaloPayRefund(r, seen.status))
      } catch (e) {
        unchecked.push({ source: 'zalopay', subject: r.mRefundId, reason: reason(e) })
      }
    })
  }

  // ---- PayPay cashbacks and reversals --------------------------------------------------------------
  const cashbacks = count('paypay_cashbacks', await deps.records.cashbacks(page))
  const reversals = count('paypay_reversals', await deps.records.reversals(page))
  const paypay = deps.paypay
  if (!paypay && cashbacks.length + reversals.length > 0)
    unchecked.push({
      source: 'paypay',
      subject: `${cashbacks.length} cashbacks, ${reversals.length} reversals`,
      reason: 'PayPay is not configured',
    })
  if (paypay) {
    await eachLimited(cashbacks, concurrency, async (cb) => {
      if (cb.status === 'requested') return
      try {
        const r = await paypay.checkCashback(cb.merchantCashbackId)
        if (r.ok) mismatches.push(...comparePayPay(cb, { found: true, ...r.data }))
        else if (r.kind === 'refused') mismatches.push(...comparePayPay(cb, { found: false }))
        else unchecked.push({ source: 'paypay', subject: cb.merchantCashbackId, reason: `${r.code}: ${r.message}` })
      } catch (e) {
        unchecked.push({ source: 'paypay', subject: cb.merchantCashbackId, reason: reason(e) })
      }
    })
    await eachLimited(reversals, concurrency, async (rv) => {
      if (rv.status === 'requested') return
      try {
        const r = await paypay.checkReversal(rv.merchantCashbackReversalId, rv.merchantCashbackId)
        if (r.ok) mismatches.push(...comparePayPay(rv, { found: true, ...r.data }))
        else if (r.kind === 'refused') mismatches.push(...comparePayPay(rv, { found: false }))
        else unchecked.push({ source: 'paypay', subject: rv.merchantCashbackReversalId, reason: `${r.code}: ${r.message}` })
      } catch (e) {
        unchecked.push({ source: 'paypay', subject: rv.merchantCashbackReversalId, reason: reason(e) })
      }
    })
  }

  // ---- points ledger -------------------------------------------------------------------------------
  const points = await deps.records.pointsMismatches(page)
  checked['points_accounts'] = points.checked
  if (points.checked >= page.limit) truncated.push('points_accounts')
  for (const m of points.mismatches) mismatches.push({ kind: 'points_balance_mismatch', ...m })

  const { open, acknowledged } = await splitAcknowledged(deps, mismatches)
  const finished = deps.clock.now()
  const report: ReconciliationReport = {
    id: prefixedId('rec', finished.getTime()),
    generatedAt: finished.toISOString(),
    since: since.toISOString(),
    checked,
    mismatches: open,
    acknowledged,
    unchecked,
    truncated,
    durationMs: finished.getTime() - started.getTime(),
  }
  if (open.length > 0 || unchecked.length > 0) {
    deps.logger.warn('reconciliation found mismatches', {
      report_id: report.id,
      mismatches: open.length,
      acknowledged: acknowledged.length,
      unchecked: unchecked.length,
    })
  }
  return report
}

/** Fingerprints every mismatch and moves those an operator acknowledged out of the open list. */
async function splitAcknowledged(deps: ReconciliationDeps, mismatches: readonly Mismatch[]) {
  const printed = await Promise.all(mismatches.map(async (m) => ({ ...m, fingerprint: await fingerprintOf(m) })))
  const acks = new Map((await deps.acknowledgements.find(printed.map((m) => m.fingerprint))).map((a) => [a.fingerprint, a]))
  const open: Array<Mismatch & { fingerprint: string }> = []
  const acknowledged: AcknowledgedMismatch[] = []
  for (const m of printed) {
    const a = acks.get(m.fingerprint)
    if (a) acknowledged.push({ ...m, note: a.note, acknowledgedBy: a.acknowledgedBy, acknowledgedAt: a.acknowledgedAt.toISOString() })
    else open.push(m)
  }
  return { open, acknowledged }
}

/** The scheduled job: builds the report over the default window and keeps it as the last one. */
export async function runScheduledReport(deps: ReconciliationDeps, opts: { since?: Date } = {}): Promise<ReconciliationReport> {
  const report = await buildReport(deps, opts)
  await deps.reports.save(report)
  return report
}
