import { and, asc, desc, eq, inArray, lt, lte } from 'drizzle-orm'
import type { VariantId } from '../../catalog/domain/variant.ts'
import { auditLog, orderLines, orders } from '../../db/schema.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Db } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import { money } from '../../shared/money.ts'
import { orderLifecycle, type Order, type OrderEvent, type OrderId, type OrderStatus } from '../domain/order.ts'
import type { OrderRepository } from '../ports.ts'

type OrderRow = typeof orders.$inferSelect
type LineRow = typeof orderLines.$inferSelect

const toOrder = (o: OrderRow, lines: readonly LineRow[]): Order => ({
  id: o.id as OrderId,
  userId: o.userId,
  status: o.status as OrderStatus,
  total: money(o.totalAmount, o.currency),
  expiresAt: o.expiresAt,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
  lines: lines
    .filter((l) => l.orderId === o.id)
    .map((l) => ({
      variantId: l.variantId as VariantId,
      sku: l.sku,
      name: l.name,
      unitPrice: money(l.unitAmount, o.currency),
      quantity: l.quantity,
      lineTotal: money(l.lineAmount, o.currency),
    })),
})

export class DrizzleOrderRepository implements OrderRepository {
  constructor(private readonly db: Db) {}

  async create(order: Order, audit: AuditEntry): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(orders).values({
        id: order.id,
        userId: order.userId,
        status: order.status,
        currency: order.total.currency,
        totalAmount: order.total.amount,
        expiresAt: order.expiresAt,
        createdAt: order.createdAt,
        updatedAt: order.updatedAt,
      })
      await tx.insert(orderLines).values(
        order.lines.map((l) => ({
          orderId: order.id,
          variantId: l.variantId,
          sku: l.sku,
          name: l.name,
          unitAmount: l.unitPrice.amount,
          quantity: l.quantity,
          lineAmount: l.lineTotal.amount,
        })),
      )
      await tx.insert(auditLog).values(auditRow(audit))
    })
  }

  async find(id: OrderId): Promise<Order | null> {
    const [o] = await this.db.select().from(orders).where(eq(orders.id, id))
    return o ? this.withLines([o]).then((x) => x[0]!) : null
  }

  async findForUser(id: OrderId, userId: string): Promise<Order | null> {
    const [o] = await this.db.select().from(orders).where(and(eq(orders.id, id), eq(orders.userId, userId)))
    return o ? this.withLines([o]).then((x) => x[0]!) : null
  }

  async listForUser(userId: string, page: { limit: number; before?: OrderId }): Promise<Order[]> {
    const rows = await this.db
      .select()
      .from(orders)
      .where(and(eq(orders.userId, userId), page.before ? lt(orders.id, page.before) : undefined))
      .orderBy(desc(orders.id))
      .limit(page.limit)
    return this.withLines(rows)
  }

  async transition(id: OrderId, from: OrderStatus, event: OrderEvent, audit: AuditEntry): Promise<OrderStatus | null> {
    const to = orderLifecycle.transition(from, event)
    if (!to.ok) return null
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .update(orders)
        .set({ status: to.value, updatedAt: audit.at })
        .where(and(eq(orders.id, id), eq(orders.status, from)))
        .returning({ id: orders.id })
      if (rows.length === 0) return null
      await tx.insert(auditLog).values(auditRow({ ...audit, data: { ...audit.data, from, to: to.value } }))
      return to.value
    })
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

  private async withLines(rows: readonly OrderRow[]): Promise<Order[]> {
    if (rows.length === 0) return []
    const lines = await this.db
      .select()
      .from(orderLines)
      .where(inArray(orderLines.orderId, rows.map((r) => r.id)))
      .orderBy(asc(orderLines.sku))
    return rows.map((o) => toOrder(o, lines))
  }
}
