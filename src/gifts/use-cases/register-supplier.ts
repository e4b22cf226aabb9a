import type { Clock } from '../../shared/clock.ts'
import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { giftErrors, type GiftError } from '../domain/errors.ts'
import type { Supplier, SupplierAccount, SupplierCode } from '../domain/supplier.ts'
import type { PinHasher, SupplierAccountRepository, SupplierRepository } from '../ports.ts'

interface Actor {
  readonly actor: string
  readonly requestId: string
}

export async function createSupplier(
  deps: { suppliers: SupplierRepository; clock: Clock },
  cmd: Supplier & Actor,
): Promise<Result<Supplier, GiftError>> {
  const supplier: Supplier = {
    supplierCode: cmd.supplierCode,
    supplierName: cmd.supplierName,
    supplierInvoiceNo: cmd.supplierInvoiceNo,
  }
  const created = await deps.suppliers.create(supplier, {
    actor: cmd.actor,
    action: 'supplier.created',
    entityType: 'supplier',
    entityId: cmd.supplierCode,
    requestId: cmd.requestId,
    at: deps.clock.now(),
  })
  return created ? ok(supplier) : err(giftErrors.supplierExists(cmd.supplierCode))
}

export interface CreateSupplierAccountCommand extends Actor {
  readonly supplierCode: SupplierCode
  readonly supplierAccountInvoiceNo: string
  readonly supplierAccountName: string
  readonly pin: string
}

/** The PIN is hashed here (peppered HMAC) and never stored or returned in clear. */
export async function createSupplierAccount(
  deps: { suppliers: SupplierRepository; accounts: SupplierAccountRepository; pins: PinHasher; clock: Clock },
  cmd: CreateSupplierAccountCommand,
): Promise<Result<SupplierAccount, GiftError>> {
  if ((await deps.suppliers.findByCode(cmd.supplierCode)) === null) {
    return err(giftErrors.supplierNotFound(cmd.supplierCode))
  }
  const pin = await deps.pins.hash(cmd.supplierCode, cmd.pin)
  const account: SupplierAccount = {
    supplierAccountId: prefixedId('sacc'),
    supplierAccountInvoiceNo: cmd.supplierAccountInvoiceNo,
    supplierCode: cmd.supplierCode,
    supplierAccountName: cmd.supplierAccountName,
    secretHash: pin.secret,
    secretKeyId: pin.keyId,
  }
  const created = await deps.accounts.create(account, {
    actor: cmd.actor,
    action: 'supplier_account.created',
    entityType: 'supplier_account',
    entityId: account.supplierAccountId,
    requestId: cmd.requestId,
    at: deps.clock.now(),
    data: { supplier_code: cmd.supplierCode, supplier_account_invoice_no: cmd.supplierAccountInvoiceNo },
  })
  return created ? ok(account) : err(giftErrors.accountExists(cmd.supplierAccountInvoiceNo))
}
