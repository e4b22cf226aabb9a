import { domainError, type DomainError } from '../../shared/result.ts'

/** Every way a redemption can be refused, each with its own stable code (seed 002's failures). */
export type GiftErrorCode =
  | 'GIFT_NOT_FOUND'
  | 'GIFT_ALREADY_USED'
  | 'GIFT_EXPIRED'
  | 'GIFT_NOT_YET_VALID'
  | 'SUPPLIER_INVOICE_NOT_FOUND'
  | 'INVALID_PIN'
  | 'PIN_LOCKED'
  | 'SUPPLIER_NOT_FOUND'
  | 'SUPPLIER_EXISTS'
  | 'SUPPLIER_ACCOUNT_EXISTS'
  | 'GIFT_EXISTS'

export type GiftError = DomainError<GiftErrorCode>

export const giftErrors = {
  notFound: (giftId: string) => domainError('GIFT_NOT_FOUND', 'Gift not found', { gift_id: giftId }),
  alreadyUsed: (giftId: string, usedAt: Date | null) =>
    domainError('GIFT_ALREADY_USED', 'Gift has already been used', {
      gift_id: giftId,
      gift_used_datetime: usedAt?.toISOString() ?? null,
    }),
  expired: (giftId: string, validUntil: Date) =>
    domainError('GIFT_EXPIRED', 'Gift has expired', { gift_id: giftId, valid_until: validUntil.toISOString() }),
  notYetValid: (giftId: string, validFrom: Date) =>
    domainError('GIFT_NOT_YET_VALID', 'Gift is not valid yet', { gift_id: giftId, valid_from: validFrom.toISOString() }),
  invoiceNotFound: () => domainError('SUPPLIER_INVOICE_NOT_FOUND', 'Supplier invoice not found'),
  // Deliberately says nothing about which part was wrong or how many tries are left.
  invalidPin: () => domainError('INVALID_PIN', 'Invalid PIN'),
  /** `scope`: this caller (device or address) is locked, or the whole supplier (spread guessing). */
  pinLocked: (retryAfterSeconds: number, scope: 'caller' | 'supplier') =>
    domainError('PIN_LOCKED', 'Too many invalid PIN attempts; try again later', {
      retry_after_seconds: retryAfterSeconds,
      scope,
    }),
  supplierNotFound: (code: string) => domainError('SUPPLIER_NOT_FOUND', 'Supplier not found', { supplier_code: code }),
  supplierExists: (code: string) =>
    domainError('SUPPLIER_EXISTS', 'A supplier with this code or invoice number exists', { supplier_code: code }),
  accountExists: (invoiceNo: string) =>
    domainError('SUPPLIER_ACCOUNT_EXISTS', 'A supplier account with this invoice number exists', {
      supplier_account_invoice_no: invoiceNo,
    }),
  giftExists: (giftIds: readonly string[]) => domainError('GIFT_EXISTS', 'Some gift ids already exist', { gift_ids: giftIds }),
} satisfies Record<string, (...args: never[]) => GiftError>
