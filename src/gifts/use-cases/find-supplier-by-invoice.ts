import type { Supplier } from '../domain/supplier.ts'
import type { SupplierAccountRepository, SupplierRepository } from '../ports.ts'

/**
 * Step 2 of seed 002: the invoice number may be the supplier's own, or that of one of its shop
 * accounts, in which case the account leads back to its supplier by supplier_code.
 */
export async function findSupplierByInvoice(
  deps: { suppliers: SupplierRepository; accounts: SupplierAccountRepository },
  invoiceNo: string,
): Promise<Supplier | null> {
  const direct = await deps.suppliers.findByInvoiceNo(invoiceNo)
  if (direct !== null) return direct
  const account = await deps.accounts.findByInvoiceNo(invoiceNo)
  if (account === null) return null
  return deps.suppliers.findByCode(account.supplierCode)
}
