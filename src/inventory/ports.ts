import type { CommitOutcome, ReserveOutcome, StockLine } from './domain/reservation.ts'

/**
 * Phase one of seed 004's two-phase inventory. Two adapters: a Durable Object per variant that
 * serialises its variant's reservations (Workers), and plain Postgres (Deno, and the baseline).
 * Both write through the same guarded SQL, so Postgres stays the record and its constraints hold
 * even if a lock misbehaves.
 */
export interface InventoryLock {
  /** All lines or none; reserving again for the same order and variant changes nothing. */
  reserve(orderId: string, lines: readonly StockLine[], until: Date, now: Date): Promise<ReserveOutcome>
  /** Returns the order's active reservations to availability; releasing twice is a no-op. */
  release(orderId: string, reason: 'released' | 'expired', now: Date): Promise<number>
}

/**
 * Phase two, used inside the payment's own database transaction (an adapter is bound to it):
 * commits the order's reservations with the optimistic version lock. Committing twice is a no-op;
 * a reservation that expired is committed only if the stock is still free.
 */
export interface StockCommitter {
  commit(orderId: string, now: Date): Promise<CommitOutcome>
}

/** Releases what is past its time (the clean-up job); safe to run concurrently with itself. */
export interface ReservationSweeper {
  expireDue(now: Date, limit: number): Promise<{ released: number; orderIds: string[] }>
}

/** Seed 004 §4 step 4: a copy in Redis with the same TTL. An optimisation, never the record. */
export interface ReservationCache {
  put(orderId: string, lines: readonly StockLine[], until: Date): Promise<void>
  clear(orderId: string): Promise<void>
}
