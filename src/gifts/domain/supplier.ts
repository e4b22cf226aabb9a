import type { Brand } from '../../shared/brand.ts'

export type SupplierCode = Brand<string, 'SupplierCode'>

export interface Supplier {
  readonly supplierCode: SupplierCode
  readonly supplierName: string
  readonly supplierInvoiceNo: string
}

/**
 * A shop account of a supplier. `secretHash` is the peppered HMAC of the supplier code and PIN
 * (never the PIN), made with the pepper `secretKeyId` names.
 */
export interface SupplierAccount {
  readonly supplierAccountId: string
  readonly supplierAccountInvoiceNo: string
  readonly supplierCode: SupplierCode
  readonly supplierAccountName: string
  readonly secretHash: string
  readonly secretKeyId: string
}
