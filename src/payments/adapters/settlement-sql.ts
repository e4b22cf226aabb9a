import { sql } from 'drizzle-orm'
import type { Db } from '../../platform/db.ts'
import type { ChargeSnapshot } from '../domain/settlement.ts'
import type { SettlementWrite } from '../ports.ts'
import { chargeSnapshotQuery, toChargeSnapshot, type ChargeSnapshotRow } from './charge-snapshot.ts'
import { auditsJson, jobsJson } from './unit-of-work-json.ts'

export async function loadCharge(db: Db, reference: string): Promise<ChargeSnapshot | null> {
  const [row] = await db.execute<ChargeSnapshotRow>(chargeSnapshotQuery(reference))
  return toChargeSnapshot(row)
}

/** The whole settlement in one call of payments_settle_charge (migration 0010). */
export async function commitSettlement(db: Db, w: SettlementWrite): Promise<'applied' | 'conflict'> {
  const plan = {
    now: w.now.toISOString(),
    payment: {
      id: w.payment.id,
      from: w.payment.from,
      to: w.payment.to,
      review_reason: w.payment.reviewReason ?? null,
      gateway_transaction_id: w.payment.gatewayTransactionId ?? null,
      paid_at: w.payment.paidAt?.toISOString() ?? null,
    },
    order: w.order ?? null,
    stock: w.stock
      ? { order_id: w.stock.orderId, lines: w.stock.lines.map((l) => ({ variant_id: l.variantId, quantity: l.quantity, from: l.from })) }
      : null,
    refund: w.refund
      ? {
          id: w.refund.id,
          amount: w.refund.amount,
          currency: w.refund.currency,
          reason: w.refund.reason,
          requested_by: w.refund.requestedBy,
        }
      : null,
    audits: auditsJson(w.audits),
    jobs: jobsJson(w.jobs),
  }
  const [row] = await db.execute<{ result: string }>(sql`select payments_settle_charge(${JSON.stringify(plan)}::jsonb) as result`)
  if (row?.result !== 'applied' && row?.result !== 'conflict') throw new Error(`payments_settle_charge answered ${String(row?.result)}`)
  return row.result
}
