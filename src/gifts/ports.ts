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
 * Counts wrong PINs per supplier in a fixed window. A correct PIN does not reset the count: an
 * attacker interleaving guesses with a shop's genuine redemptions must still hit the limit. Implementations must fail closed (throw) when
 * their store is unreachable: an open lockout would let a brute force through.
 */
export interface PinLockout {
  state(supplierCode: SupplierCode): Promise<LockoutState>
  recordFailure(supplierCode: SupplierCode): Promise<void>
}
