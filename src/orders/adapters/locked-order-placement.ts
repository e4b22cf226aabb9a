import { sql } from 'drizzle-orm'
import type { InventoryLock } from '../../inventory/ports.ts'
import type { Db } from '../../platform/db.ts'
import type { OrderPlacement, PlacementOutcome, PlacementRequest, PriceOrder } from '../ports.ts'
import { ts } from '../../platform/unit-of-work-sql.ts'
import { linesArgs, parseSnapshot, recordOrder, type SnapshotJson } from './order-placement-sql.ts'

/**
 * Placement through an inventory lock that lives outside this connection (the variants' Durable
 * Objects, each writing its batch in one statement of its own): one read (order_snapshot), the
 * domain prices it, the lock reserves every line or none, one write (order_record). No row lock is
 * held between them; reservations made before a failed write are given back at once, and if the
 * process dies in between they simply lapse.
 */
export class LockedOrderPlacement implements OrderPlacement {
  constructor(
    private readonly db: Db,
    private readonly lock: InventoryLock,
  ) {}

  async place(req: PlacementRequest, price: PriceOrder): Promise<PlacementOutcome> {
    const [row] = await this.db.execute<{ snap: SnapshotJson }>(sql`select order_snapshot(${linesArgs(req)}, ${ts(req.now)}) as snap`)
    if (!row) throw new Error('order_snapshot returned no row')
    const { lines, variants } = parseSnapshot(row.snap)
    const judged = price(lines, variants)
    if (!judged.ok) return { ok: false, refused: judged.error }
    const priced = judged.value

    const held = await this.lock.reserve(
      req.orderId,
      priced.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity })),
      req.until,
      req.now,
    )
    if (!held.ok) return { ok: false, priced, outOfStock: { variantId: held.variantId, available: held.available } }
    try {
      await recordOrder(this.db, req, priced)
    } catch (e) {
      // Give the stock back now rather than in 15 minutes; if this fails too, expiry still does it.
      await this.lock.release(req.orderId, 'released', req.now).catch(() => {})
      throw e
    }
    return { ok: true, priced }
  }
}
