import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { zalopayRefunds } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import type { PaymentSessionId } from '../domain/payment-session.ts'
import { refundLifecycle, type Refund, type RefundEvent, type RefundId, type RefundStatus } from '../domain/refund.ts'
import type { RefundRepository } from '../ports.ts'
import { auditInsertFrom } from '../../platform/unit-of-work-sql.ts'
import { json, refundValues, toRefund } from './drizzle-rows.ts'

export class DrizzleRefundRepository implements RefundRepository {
  constructor(private readonly db: Db) {}

  async find(id: RefundId): Promise<Refund | null> {
    const [r] = await this.db.select().from(zalopayRefunds).where(eq(zalopayRefunds.id, id))
    return r ? toRefund(r) : null
  }

  async findForSession(sessionId: PaymentSessionId): Promise<Refund | null> {
    const [r] = await this.db.select().from(zalopayRefunds).where(eq(zalopayRefunds.paymentSessionId, sessionId))
    return r ? toRefund(r) : null
  }

  /**
   * One statement: the refund (once per session) with its audit row, or the session's refund that
   * exists; read again only when a concurrent insert won meanwhile.
   */
  async request(r: Refund, audit: AuditEntry): Promise<Refund> {
    const insert = this.db.insert(zalopayRefunds).values(refundValues(r)).onConflictDoNothing().returning()
    const [row] = await this.db.execute<{ refund: Record<string, unknown> }>(sql`
      with created as (${insert.getSQL()}),
      audit as (${auditInsertFrom(audit, 'created')})
      select to_jsonb(created) as refund from created
      union all
      select to_jsonb(e) from ${zalopayRefunds} e where e.payment_session_id = ${r.paymentSessionId} and not exists (select 1 from created)`)
    if (row) return json.refund(row.refund)
    const existing = await this.findForSession(r.paymentSessionId)
    if (!existing) throw new Error(`refund of session ${r.paymentSessionId} neither stored nor found`)
    return existing
  }

  /** Guarded on `from`; the patch lands with the move (or alone when `event` is null). One statement. */
  async update(
    id: RefundId,
    from: RefundStatus,
    event: RefundEvent | null,
    patch: { mRefundId?: string; gatewayRefundId?: string; requestedAt?: Date; attempts?: number },
    at: Date,
  ): Promise<Refund | null> {
    let status: RefundStatus = from
    if (event !== null) {
      const to = refundLifecycle.transition(from, event)
      if (!to.ok) return null
      status = to.value
    }
    const [r] = await this.db
      .update(zalopayRefunds)
      .set({ ...patch, status, updatedAt: at })
      .where(and(eq(zalopayRefunds.id, id), eq(zalopayRefunds.status, from)))
      .returning()
    return r ? toRefund(r) : null
  }

  async findOpen(limit: number): Promise<Refund[]> {
    const rows = await this.db
      .select()
      .from(zalopayRefunds)
      .where(inArray(zalopayRefunds.status, ['PENDING', 'PROCESSING']))
      .orderBy(asc(zalopayRefunds.updatedAt))
      .limit(limit)
    return rows.map(toRefund)
  }
}
