import { and, asc, eq, lte, sql, type SQL } from 'drizzle-orm'
import type { VariantId } from '../../catalog/domain/variant.ts'
import { orders } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import { auditInsertFrom, ts } from '../../platform/unit-of-work-sql.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import { money } from '../../shared/money.ts'
import { orderLifecycle, type Order, type OrderEvent, type OrderId, type OrderStatus } from '../domain/order.ts'
import type { OrderRepository } from '../ports.ts'

type OrderRow = {
  id: string
  user_id: string
  status: string
  currency: string
  total_amount: number
  expires_at: string | Date
  created_at: string | Date
  updated_at: string | Date
  lines: Array<{ variant_id: string; sku: string; name: string; unit_amount: number; quantity: number; line_amount: number }>
}

const toOrder = (o: OrderRow): Order => ({
  id: o.id as OrderId,
  userId: o.user_id,
  status: o.status as OrderStatus,
  total: money(Number(o.total_amount), o.currency),
  expiresAt: new Date(o.expires_at),
  createdAt: new Date(o.created_at),
  updatedAt: new Date(o.updated_at),
  lines: o.lines.map((l) => ({
    variantId: l.variant_id as VariantId,
    sku: l.sku,
    name: l.name,
    unitPrice: money(Number(l.unit_amount), o.currency),
    quantity: Number(l.quantity),
    lineTotal: money(Number(l.line_amount), o.currency),
  })),
})

/** Orders with their lines (by SKU) in one statement; `where` filters and orders the orders. */
const ordersWith = (where: SQL) => sql`
  select o.id, o.user_id, o.status, o.currency, o.total_amount, o.expires_at, o.created_at, o.updated_at, coalesce((
    select jsonb_agg(jsonb_build_object('variant_id', l.variant_id, 'sku', l.sku, 'name', l.name, 'unit_amount', l.unit_amount,
      'quantity', l.quantity, 'line_amount', l.line_amount) order by l.sku)
    from order_lines l where l.order_id = o.id
  ), '[]'::jsonb) as lines
  from orders o ${where}`

export class DrizzleOrderRepository implements OrderRepository {
  constructor(private readonly db: Db) {}

  async find(id: OrderId): Promise<Order | null> {
    const [o] = await this.db.execute<OrderRow>(ordersWith(sql`where o.id = ${id}`))
    return o ? toOrder(o) : null
  }

  async findForUser(id: OrderId, userId: string): Promise<Order | null> {
    const [o] = await this.db.execute<OrderRow>(ordersWith(sql`where o.id = ${id} and o.user_id = ${userId}`))
    return o ? toOrder(o) : null
  }

  async listForUser(userId: string, page: { limit: number; before?: OrderId }): Promise<Order[]> {
    const before = page.before ? sql`and o.id < ${page.before}` : sql``
    const rows = await this.db.execute<OrderRow>(
      ordersWith(sql`where o.user_id = ${userId} ${before} order by o.id desc limit ${page.limit}`),
    )
    return rows.map(toOrder)
  }

  /** One statement: the guarded update and its audit row (written only if the update happened). */
  async transition(id: OrderId, from: OrderStatus, event: OrderEvent, audit: AuditEntry): Promise<OrderStatus | null> {
    const to = orderLifecycle.transition(from, event)
    if (!to.ok) return null
    const at = ts(audit.at)
    const rows = await this.db.execute<{ id: string }>(sql`
      with moved as (
        update orders set status = ${to.value}, updated_at = ${at}
        where id = ${id} and status = ${from}
        returning id
      ), audited as (${auditInsertFrom({ ...audit, data: { ...audit.data, from, to: to.value } }, 'moved')})
      select id from moved`)
    return rows.length === 0 ? null : to.value
  }

  async findLapsed(now: Date, limit: number): Promise<OrderId[]> {
    const rows = await this.db
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.status, 'awaiting_payment'), lte(orders.expiresAt, now)))
      .orderBy(asc(orders.expiresAt))
      .limit(limit)
    return rows.map((r) => r.id as OrderId)
  }
}
