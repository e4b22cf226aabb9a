import type { AuditEntry } from '../shared/audit.ts'
import type { Gift, GiftId, GiftUse } from './domain/gift.ts'
import type { Supplier, SupplierAccount, SupplierCode } from './domain/supplier.ts'

export interface NewGift {
  readonly giftId: GiftId
  readonly amount: number
  readonly currency: string
  readonly validFrom: Date | null
  readonly validUntil: Date | null
}

export interface GiftRepository {
  findById(giftId: GiftId): Promise<Gift | null>
  /** Inserts all or none; returns the ids that already existed (and inserts nothing) on conflict. */
  issue(gifts: readonly NewGift[], audit: AuditEntry): Promise<{ created: Gift[] } | { existing: GiftId[] }>
}

/** Everything a redemption decides on (seed 002 steps 1-3), read together. */
export interface RedemptionSnapshot {
  readonly gift: Gift | null
  /** The supplier the invoice number names (its own, else one of its accounts'); null when neither. */
  readonly supplier: Supplier | null
  /** The PIN hashes of that supplier's accounts; empty without a supplier. */
  readonly pinHashes: readonly string[]
}

/**
 * A redemption's unit of work against the database: one read, one guarded write (issue 13: on the
 * edge every statement is a round trip to the database's region).
 */
export interface RedemptionStore {
  /** One statement, no locks: the gift, the supplier by invoice number, its accounts' PIN hashes. */
  load(giftId: GiftId, invoiceNo: string): Promise<RedemptionSnapshot>
  /**
   * One statement: marks the gift used if and only if it is still unused, with its audit row.
   * Returns false when another redemption won the race: exactly one caller marks a gift.
   */
  markUsed(input: { giftId: GiftId; use: GiftUse & { supplierCode: SupplierCode }; audit: AuditEntry }): Promise<boolean>
}

export interface SupplierRepository {
  findByCode(code: SupplierCode): Promise<Supplier | null>
  /** Returns false when the code or invoice number is taken. */
  create(supplier: Supplier, audit: AuditEntry): Promise<boolean>
}

export interface SupplierAccountRepository {
  /** Returns false when the invoice number is taken. */
  create(account: SupplierAccount, audit: AuditEntry): Promise<boolean>
}

/** Salted slow hash of a PIN, compared in constant time. */
export interface PinHasher {
  hash(pin: string): Promise<string>
  verify(pin: string, stored: string): Promise<boolean>
}

export type LockoutState = { readonly locked: false } | { readonly locked: true; readonly retryAfterSeconds: number }

/**
 * Limits PIN guesses per supplier in a fixed window. Only wrong PINs count, and a correct one does
 * not reset the count (guesses interleaved with a shop's genuine redemptions still hit the limit).
 * Attempts in flight are counted too, so a burst of parallel guesses cannot all pass a check made
 * before any of them failed: at most `limit + maxInFlight` PINs are verified per window.
 * Implementations must fail closed (throw) when their store is unreachable.
 */
export interface PinLockout {
  /** Starts an attempt; when locked, the attempt must be refused (and not settled). */
  reserve(supplierCode: SupplierCode): Promise<LockoutState>
  /** Ends a reserved attempt, counting it as a failure when the PIN was wrong. */
  settle(supplierCode: SupplierCode, pinWasCorrect: boolean): Promise<void>
}
