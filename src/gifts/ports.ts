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

/** A shop account's stored PIN as the redemption reads it. */
export interface StoredPin {
  readonly accountId: string
  /** The pepper the secret was made with; null for a row still in the old salted PBKDF2 form. */
  readonly keyId: string | null
  readonly secret: string
}

/** Everything a redemption decides on (seed 002 steps 1-3), read together. */
export interface RedemptionSnapshot {
  readonly gift: Gift | null
  /** The supplier the invoice number names (its own, else one of its accounts'); null when neither. */
  readonly supplier: Supplier | null
  /** The stored PINs of that supplier's accounts; empty without a supplier. */
  readonly pins: readonly StoredPin[]
}

/**
 * A redemption's unit of work against the database: one read, one guarded write (issue 13: on the
 * edge every statement is a round trip to the database's region).
 */
export interface RedemptionStore {
  /** One statement, no locks: the gift, the supplier by invoice number, its accounts' stored PINs. */
  load(giftId: GiftId, invoiceNo: string): Promise<RedemptionSnapshot>
  /**
   * One statement: marks the gift used if and only if it is still unused, with its audit row.
   * Returns false when another redemption won the race: exactly one caller marks a gift.
   */
  markUsed(input: { giftId: GiftId; use: GiftUse & { supplierCode: SupplierCode }; audit: AuditEntry }): Promise<boolean>
  /**
   * One statement: rewrites accounts whose PIN was just verified in an old form (PBKDF2 or an old
   * pepper) into the current one, each only if its stored secret is still the one verified.
   */
  upgradePins(stale: readonly StoredPin[], current: PinSecret): Promise<void>
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

/** A PIN as stored: the secret and the id of the pepper it was made with. */
export interface PinSecret {
  readonly keyId: string
  readonly secret: string
}

export interface PinCheck {
  readonly matched: boolean
  /** The matching rows not in the current form, to rewrite (after the answer). */
  readonly stale: readonly StoredPin[]
}

/**
 * PINs keyed with a secret pepper: HMAC of the supplier code and PIN, so one digest per live pepper
 * checks every account of a supplier, and a leaked table without the pepper reveals nothing.
 */
export interface PinHasher {
  /** The current form: new accounts and rewrites. */
  hash(supplierCode: SupplierCode, pin: string): Promise<PinSecret>
  /**
   * Checks a PIN against a supplier's stored PINs, comparing in constant time. Old PBKDF2 rows are
   * verified only when no peppered row matched (after the first use of each PIN, none remain).
   */
  check(supplierCode: SupplierCode, pin: string, stored: readonly StoredPin[]): Promise<PinCheck>
}

export type LockoutState =
  | { readonly locked: false }
  | { readonly locked: true; readonly retryAfterSeconds: number; readonly scope: 'caller' | 'supplier' }

/** Who is trying PINs for which supplier: the caller is the device's token subject, else its IP. */
export interface PinAttempt {
  readonly supplierCode: SupplierCode
  /** `user:<sub>` or `ip:<address>`. */
  readonly caller: string
}

/**
 * Limits PIN guesses in fixed windows, per supplier and caller (so one caller's guesses lock out
 * that caller only) and under a higher ceiling per supplier (guessing spread over many addresses).
 * Only wrong PINs count, and a correct one does not reset a count (guesses interleaved with a shop's
 * genuine redemptions still hit the limit). Attempts in flight count too, so a burst of parallel
 * guesses cannot all pass a check made before any of them failed. Implementations must fail closed
 * (throw) when their store is unreachable.
 */
export interface PinLockout {
  /** Starts an attempt; when locked, the attempt is refused (and must not be settled). */
  reserve(attempt: PinAttempt): Promise<LockoutState>
  /** Ends a reserved attempt, counting it as a failure when the PIN was wrong. */
  settle(attempt: PinAttempt, pinWasCorrect: boolean): Promise<void>
}
