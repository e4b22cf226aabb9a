import type { AuditEntry } from '../shared/audit.ts'
import type { Gift, GiftId } from './domain/gift.ts'
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
  /**
   * Marks the gift used if and only if it is still unused, writing the audit row in the same
   * transaction. Returns null when another redemption won the race: exactly one caller gets a gift.
   */
  markUsed(input: {
    giftId: GiftId
    usedAt: Date
    supplierCode: SupplierCode
    invoiceNo: string
    audit: AuditEntry
  }): Promise<Gift | null>
  /** Inserts all or none; returns the ids that already existed (and inserts nothing) on conflict. */
  issue(gifts: readonly NewGift[], audit: AuditEntry): Promise<{ created: Gift[] } | { existing: GiftId[] }>
}

export interface SupplierRepository {
  findByInvoiceNo(invoiceNo: string): Promise<Supplier | null>
  findByCode(code: SupplierCode): Promise<Supplier | null>
  /** Returns false when the code or invoice number is taken. */
  create(supplier: Supplier, audit: AuditEntry): Promise<boolean>
}

export interface SupplierAccountRepository {
  findByInvoiceNo(invoiceNo: string): Promise<SupplierAccount | null>
  listBySupplierCode(code: SupplierCode): Promise<SupplierAccount[]>
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
