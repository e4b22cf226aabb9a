import { DurableObject } from 'cloudflare:workers'
import { sql } from 'drizzle-orm'
import { connectDb, type Db } from '../../platform/db.ts'
import { pgIntArray, pgTextArray } from '../../platform/pg-array.ts'

/** A copy of the variant's record, rebuilt from Postgres whenever the object starts. */
interface VariantState {
  stock: number
  reserved: number
  /** This variant's active reservations by order: quantity and when each lapses (ms). */
  holds: Map<string, { quantity: number; until: number }>
  loadedAt: number
}

type Op =
  | {
      kind: 'reserve'
      orderId: string
      quantity: number
      until: number
      now: number
      done: (r: ReserveAnswer) => void
      fail: (e: unknown) => void
    }
  | {
      kind: 'release'
      orderIds: string[]
      reason: 'released' | 'expired'
      now: number
      done: (n: number) => void
      fail: (e: unknown) => void
    }
  | { kind: 'resync'; done: () => void; fail: (e: unknown) => void }

export interface ReserveAnswer {
  readonly ok: boolean
  /** Units free after this answer (what a refused order could have had). */
  readonly available: number
}

/** A refusal is re-checked against Postgres when the copy is older than this. */
const STALE_AFTER_MS = 1000

/**
 * One object per variant (idFromName(variantId)): every reserve and release of the variant passes
 * through its queue, so the hot row sees one writer instead of a crowd fighting for its lock.
 * Reserves that arrive while a write is in flight are written together in one round trip
 * (inventory_reserve_batch). The object refuses locally when its copy says the stock is gone, sets
 * an alarm for the earliest lapse so expired reservations return on time, and keeps nothing but
 * its variant id in storage: after eviction or a restart it rebuilds from Postgres, which stays
 * the record and keeps its own guards.
 */
export class VariantStockObject extends DurableObject<Env> {
  private variantId: string | null = null
  private state: VariantState | null = null
  private queue: Op[] = []
  private running = false
  private db: Db | null = null

  reserve(variantId: string, orderId: string, quantity: number, until: number, now: number): Promise<ReserveAnswer> {
    return this.enqueue(variantId, (done, fail) => ({ kind: 'reserve', orderId, quantity, until, now, done, fail }))
  }

  release(variantId: string, orderIds: string[], reason: 'released' | 'expired', now: number): Promise<number> {
    return this.enqueue(variantId, (done, fail) => ({ kind: 'release', orderIds, reason, now, done, fail }))
  }

  /** Stock changed outside the object (restock, a late commit): read it again. */
  resync(variantId: string): Promise<void> {
    return this.enqueue(variantId, (done, fail) => ({ kind: 'resync', done, fail }))
  }

  /** For tests and operators: what the object believes now. */
  async inspect(): Promise<{ variantId: string | null; loaded: boolean; stock?: number; reserved?: number; holds?: number }> {
    const s = this.state
    return s
      ? { variantId: this.variantId, loaded: true, stock: s.stock, reserved: s.reserved, holds: s.holds.size }
      : { variantId: this.variantId, loaded: false }
  }

  /** Simulates eviction: memory is gone, storage (the variant id and the alarm) survives. */
  async forget(): Promise<void> {
    this.state = null
    this.variantId = null
  }

  override async alarm(): Promise<void> {
    const variantId = this.variantId ?? (await this.ctx.storage.get<string>('variantId')) ?? null
    if (!variantId) return
    await this.enqueue(variantId, (done, fail) => ({ kind: 'release', orderIds: [], reason: 'expired', now: Date.now(), done, fail }))
  }

  private enqueue<T>(variantId: string, make: (done: (v: T) => void, fail: (e: unknown) => void) => Op): Promise<T> {
    if (this.variantId !== null && this.variantId !== variantId) {
      return Promise.reject(new Error(`object of ${this.variantId} asked about ${variantId}`))
    }
    this.variantId = variantId
    return new Promise<T>((resolve, reject) => {
      this.queue.push(make(resolve as (v: unknown) => void, reject))
      void this.drain()
    })
  }

  private async drain(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!
        if (head.kind === 'reserve') {
          let n = 0
          while (n < this.queue.length && this.queue[n]!.kind === 'reserve') n++
          const batch = this.queue.splice(0, n) as Extract<Op, { kind: 'reserve' }>[]
          await this.run(batch, () => this.reserveBatch(batch))
        } else {
          this.queue.shift()
          await this.run([head], async () => {
            if (head.kind === 'release') head.done(await this.releaseOrders(head.orderIds, head.reason, head.now))
            else {
              await this.load()
              head.done()
            }
          })
        }
      }
    } finally {
      this.running = false
    }
  }

  private async run(ops: Op[], fn: () => Promise<void>): Promise<void> {
    try {
      await fn()
    } catch (e) {
      // The copy may now be wrong (a write may or may not have landed): rebuild it next time.
      this.state = null
      // RPC carries the message but not the cause: put the driver's reason into the message.
      const cause = (e as { cause?: unknown }).cause
      const failure = cause instanceof Error ? new Error(`${(e as Error).message}: ${cause.message}`) : e
      for (const op of ops) op.fail(failure)
    }
  }

  private async reserveBatch(batch: Extract<Op, { kind: 'reserve' }>[]): Promise<void> {
    let state = await this.ensureLoaded()
    const now = Math.max(...batch.map((b) => b.now))
    const decide = (s: VariantState) => {
      let free = s.stock - s.reserved + lapsed(s, now)
      return batch.map((op) => {
        if (s.holds.has(op.orderId)) return true
        if (op.quantity <= free) {
          free -= op.quantity
          return true
        }
        return false
      })
    }
    let fits = decide(state)
    if (fits.includes(false) && Date.now() - state.loadedAt > STALE_AFTER_MS) {
      state = await this.load()
      fits = decide(state)
    }
    const toWrite = batch.filter((_, i) => fits[i])
    const written = new Map<string, boolean>()
    if (toWrite.length > 0) {
      const rows = await this.database().execute<{ r_order: string; r_ok: boolean; r_stock: number; r_reserved: number }>(sql`
        select * from inventory_reserve_batch(
          ${this.variantId}, ${pgTextArray(toWrite.map((o) => o.orderId))}::text[],
          ${pgIntArray(toWrite.map((o) => o.quantity))}::integer[],
          ${pgTextArray(toWrite.map((o) => new Date(o.until).toISOString()))}::timestamptz[],
          ${new Date(now).toISOString()}::timestamptz)`)
      for (const r of rows) written.set(r.r_order, r.r_ok)
      const last = rows[0]
      if (last) {
        state.stock = Number(last.r_stock)
        state.reserved = Number(last.r_reserved)
      }
      // The function released what had lapsed; forget those holds too.
      for (const [orderId, h] of state.holds) if (h.until <= now) state.holds.delete(orderId)
      for (const op of toWrite) if (written.get(op.orderId)) state.holds.set(op.orderId, { quantity: op.quantity, until: op.until })
      await this.armAlarm(state)
    }
    const available = Math.max(0, state.stock - state.reserved)
    for (const op of batch) op.done({ ok: written.get(op.orderId) === true, available })
  }

  /** Releases the given orders' holds, or (with none given) every hold that has lapsed. */
  private async releaseOrders(orderIds: string[], reason: 'released' | 'expired', now: number): Promise<number> {
    const state = await this.ensureLoaded()
    const targets = orderIds.length > 0 ? orderIds : [...state.holds].filter(([, h]) => h.until <= now).map(([id]) => id)
    let released = 0
    if (targets.length > 0) {
      const [row] = await this.database().execute<{ r_released: number; r_stock: number; r_reserved: number }>(sql`
        select * from inventory_release_variant(${this.variantId}, ${pgTextArray(targets)}::text[], ${reason}, ${new Date(now).toISOString()}::timestamptz)`)
      if (row) {
        released = Number(row.r_released)
        state.stock = Number(row.r_stock)
        state.reserved = Number(row.r_reserved)
      }
      for (const id of targets) state.holds.delete(id)
    }
    await this.armAlarm(state)
    return released
  }

  private async ensureLoaded(): Promise<VariantState> {
    return this.state ?? this.load()
  }

  /** One statement: the variant's counts and its active holds. */
  private async load(): Promise<VariantState> {
    const [row] = await this.database().execute<{
      stock: number
      reserved: number
      holds: Array<{ order_id: string; quantity: number; until: string }>
    }>(sql`
      select v.stock, v.reserved, coalesce((
        select jsonb_agg(jsonb_build_object('order_id', r.order_id, 'quantity', r.quantity, 'until', r.reserved_until))
        from reservations r where r.variant_id = v.id and r.status = 'active'
      ), '[]'::jsonb) as holds
      from product_variants v where v.id = ${this.variantId}`)
    const state: VariantState = {
      stock: Number(row?.stock ?? 0),
      reserved: Number(row?.reserved ?? 0),
      holds: new Map((row?.holds ?? []).map((h) => [h.order_id, { quantity: Number(h.quantity), until: new Date(h.until).getTime() }])),
      loadedAt: Date.now(),
    }
    this.state = state
    await this.ctx.storage.put('variantId', this.variantId)
    await this.armAlarm(state)
    return state
  }

  private async armAlarm(state: VariantState): Promise<void> {
    let earliest = Infinity
    for (const h of state.holds.values()) earliest = Math.min(earliest, h.until)
    if (earliest === Infinity) await this.ctx.storage.deleteAlarm()
    else await this.ctx.storage.setAlarm(earliest)
  }

  private database(): Db {
    // One connection per object, reused across its requests (a Durable Object's sockets outlive the
    // request that opened them). It is not closed when idle: postgres.js's Workers socket polyfill
    // leaves an unhandled rejection behind every close. In production Hyperdrive multiplexes these
    // onto a small pool; locally each live object holds one real connection (README, bench notes).
    this.db ??= connectDb(this.env.HYPERDRIVE.connectionString, { max: 1 }).db
    return this.db
  }
}

/** Units held by holds that have lapsed: free for this batch (the write releases them first). */
function lapsed(s: VariantState, now: number): number {
  let n = 0
  for (const h of s.holds.values()) if (h.until <= now) n += h.quantity
  return n
}
