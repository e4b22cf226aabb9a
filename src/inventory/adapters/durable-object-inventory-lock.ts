import { sql } from 'drizzle-orm'
import type { VariantId } from '../../catalog/domain/variant.ts'
import type { Db } from '../../platform/db.ts'
import type { ReserveOutcome, StockLine } from '../domain/reservation.ts'
import type { InventoryLock } from '../ports.ts'
import type { VariantStockObject } from './variant-stock-object.ts'

/**
 * The Workers lock: each line goes to its variant's Durable Object. Lines of one order are
 * reserved in parallel; if any is refused, the ones that succeeded are released again, so an
 * order holds all its lines or none.
 */
export class DurableObjectInventoryLock implements InventoryLock {
  constructor(
    private readonly namespace: DurableObjectNamespace<VariantStockObject>,
    private readonly db: Db,
    /** Where new variant objects start (an existing object stays where it is). */
    private readonly locationHint?: DurableObjectLocationHint,
  ) {}

  private stub(variantId: string) {
    const id = this.namespace.idFromName(variantId)
    return this.locationHint ? this.namespace.get(id, { locationHint: this.locationHint }) : this.namespace.get(id)
  }

  async reserve(orderId: string, lines: readonly StockLine[], until: Date, now: Date): Promise<ReserveOutcome> {
    const answers = await Promise.allSettled(
      lines.map((l) => this.stub(l.variantId).reserve(l.variantId, orderId, l.quantity, until.getTime(), now.getTime())),
    )
    const refused = answers.findIndex((a) => a.status === 'rejected' || !a.value.ok)
    if (refused === -1) return { ok: true }
    // Undo the lines that were reserved (also when a call failed: its write may have landed).
    await Promise.all(
      lines.map((l, i) =>
        i === refused && answers[i]!.status === 'fulfilled'
          ? null
          : this.stub(l.variantId).release(l.variantId, [orderId], 'released', now.getTime()),
      ),
    )
    const failure = answers[refused]!
    if (failure.status === 'rejected') throw failure.reason
    return { ok: false, variantId: lines[refused]!.variantId, available: failure.value.available }
  }

  async release(orderId: string, reason: 'released' | 'expired', now: Date): Promise<number> {
    const held = await this.db.execute<{ variant_id: string }>(
      sql`select variant_id from reservations where order_id = ${orderId} and status = 'active'`,
    )
    const counts = await Promise.all(held.map((r) => this.stub(r.variant_id).release(r.variant_id, [orderId], reason, now.getTime())))
    return counts.reduce((a, b) => a + b, 0)
  }

  async onStockChanged(variantId: VariantId): Promise<void> {
    await this.stub(variantId).resync(variantId)
  }
}
