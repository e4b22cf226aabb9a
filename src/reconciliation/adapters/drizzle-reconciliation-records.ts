import { sql } from 'drizzle-orm'
import type { Db } from '../../platform/db.ts'
import type { OurCashback, OurPaystackPayment, OurPaystackRefund, OurZaloPayRefund, OurZaloPaySession } from '../domain/mismatch.ts'
import type { Page, ReconciliationRecords } from '../ports.ts'

const PAID = sql.raw(`('paid', 'partially_refunded', 'refunded')`)
const at = (d: Date) => d.toISOString()

/**
 * The reconciliation's reads, straight SQL over the other contexts' tables (read-only). Each one
 * is bounded by the window (`since`, on indexed timestamps where the tables have them) and a limit;
 * the stock check aggregates active reservations (a partial index) over all variants.
 */
export class DrizzleReconciliationRecords implements ReconciliationRecords {
  constructor(private readonly db: Db) {}

  private async rows<T>(q: ReturnType<typeof sql>): Promise<T[]> {
    return [...((await this.db.execute(q)) as unknown as T[])]
  }

  async paystackPayments(page: Page) {
    const payments = await this.rows<OurPaystackPayment>(sql`
      select id, order_id as "orderId", reference, status, amount, currency
      from payments
      where provider = 'paystack' and (updated_at >= ${at(page.since)}::timestamptz or created_at >= ${at(page.since)}::timestamptz)
      order by updated_at desc
      limit ${page.limit}`)
    if (payments.length === 0) return []
    const ids = payments.map((p) => p.id)
    const refunds = await this.rows<OurPaystackRefund>(sql`
      select id, payment_id as "paymentId", status, amount, gateway_refund_id as "gatewayRefundId"
      from refunds where payment_id in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`)
    return payments.map((p) => ({ ...p, refunds: refunds.filter((r) => r.paymentId === p.id) }))
  }

  async ordersPaidWithoutPayment(page: Page) {
    return this.rows<{ orderId: string; orderStatus: string; payments: Array<{ paymentId: string; status: string }> }>(sql`
      select o.id as "orderId", o.status as "orderStatus",
             coalesce(json_agg(json_build_object('paymentId', p.id, 'status', p.status)) filter (where p.id is not null), '[]'::json) as payments
      from orders o left join payments p on p.order_id = o.id
      where o.created_at >= ${at(page.since)}::timestamptz and o.status in ${PAID}
      group by o.id, o.status
      having not coalesce(bool_or(p.status in ${PAID}), false)
      limit ${page.limit}`)
  }

  async paymentsPaidOrderNotPaid(page: Page) {
    return this.rows<{ paymentId: string; orderId: string; paymentStatus: string; orderStatus: string | null }>(sql`
      select p.id as "paymentId", p.order_id as "orderId", p.status as "paymentStatus", o.status as "orderStatus"
      from payments p left join orders o on o.id = p.order_id
      where p.updated_at >= ${at(page.since)}::timestamptz and p.status in ${PAID}
        and (o.status is null or o.status not in ${PAID})
        and not exists (select 1 from refunds r where r.payment_id = p.id and r.status <> 'failed')
      limit ${page.limit}`)
  }

  async stockMismatches(limit: number) {
    return this.rows<{ variantId: string; sku: string; stock: number; reserved: number; activeReservations: number }>(sql`
      select v.id as "variantId", v.sku, v.stock, v.reserved, coalesce(r.quantity, 0)::int as "activeReservations"
      from product_variants v
      left join (select variant_id, sum(quantity) as quantity from reservations where status = 'active' group by variant_id) r on r.variant_id = v.id
      where v.reserved <> coalesce(r.quantity, 0) or v.stock < 0 or v.reserved > v.stock
      limit ${limit}`)
  }

  async zaloPaySessions(page: Page) {
    return this.rows<OurZaloPaySession>(sql`
      select s.id, s.app_trans_id as "appTransId", s.status, s.amount,
             exists (select 1 from zalopay_refunds r where r.payment_session_id = s.id) as refunded
      from payment_sessions s
      where s.updated_at >= ${at(page.since)}::timestamptz
      order by s.updated_at desc
      limit ${page.limit}`)
  }

  async zaloPayRefunds(page: Page) {
    const rows = await this.rows<OurZaloPayRefund & { requestedAt: string | Date }>(sql`
      select id, payment_session_id as "sessionId", m_refund_id as "mRefundId", status, amount, requested_at as "requestedAt"
      from zalopay_refunds
      where m_refund_id is not null and requested_at is not null and updated_at >= ${at(page.since)}::timestamptz
      order by updated_at desc
      limit ${page.limit}`)
    return rows.map((r) => ({ ...r, requestedAt: new Date(r.requestedAt) }))
  }

  async cashbacks(page: Page) {
    return this.rows<OurCashback>(sql`
      select merchant_cashback_id as "merchantCashbackId", user_id as "userId", status, amount
      from paypay_cashbacks
      where updated_at >= ${at(page.since)}::timestamptz
      order by updated_at desc
      limit ${page.limit}`)
  }

  async reversals(page: Page) {
    return this.rows<OurCashback & { merchantCashbackReversalId: string }>(sql`
      select merchant_cashback_reversal_id as "merchantCashbackReversalId", merchant_cashback_id as "merchantCashbackId", user_id as "userId", status,
             case when status = 'succeeded' then coalesce(reversed_amount, amount) else amount end as amount
      from paypay_cashback_reversals
      where updated_at >= ${at(page.since)}::timestamptz
      order by updated_at desc
      limit ${page.limit}`)
  }

  async pointsMismatches(page: Page) {
    const rows = await this.rows<{ userId: string; balance: number; ledgerSum: number }>(sql`
      with active as (
        select user_id from (
          select user_id from points_ledger where created_at >= ${at(page.since)}::timestamptz
          union
          select user_id from points_accounts where updated_at >= ${at(page.since)}::timestamptz
        ) u limit ${page.limit}
      )
      select a.user_id as "userId", coalesce(pa.balance, 0)::int as balance,
             coalesce((select sum(l.points) from points_ledger l where l.user_id = a.user_id), 0)::int as "ledgerSum"
      from active a left join points_accounts pa on pa.user_id = a.user_id`)
    return { checked: rows.length, mismatches: rows.filter((r) => r.balance !== r.ledgerSum) }
  }
}
