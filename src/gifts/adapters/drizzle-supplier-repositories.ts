import { eq } from 'drizzle-orm'
import type { AuditEntry } from '../../shared/audit.ts'
import { auditLog, supplierAccounts, suppliers } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import { auditRow } from '../../platform/audit-row.ts'
import type { Supplier, SupplierAccount, SupplierCode } from '../domain/supplier.ts'
import type { SupplierAccountRepository, SupplierRepository } from '../ports.ts'

const toSupplier = (r: typeof suppliers.$inferSelect): Supplier => ({
  supplierCode: r.supplierCode as SupplierCode,
  supplierName: r.supplierName,
  supplierInvoiceNo: r.supplierInvoiceNo,
})

export class DrizzleSupplierRepository implements SupplierRepository {
  constructor(private readonly db: Db) {}

  async findByCode(code: SupplierCode): Promise<Supplier | null> {
    const [row] = await this.db.select().from(suppliers).where(eq(suppliers.supplierCode, code))
    return row ? toSupplier(row) : null
  }

  async create(s: Supplier, audit: AuditEntry): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .insert(suppliers)
        .values({ supplierCode: s.supplierCode, supplierName: s.supplierName, supplierInvoiceNo: s.supplierInvoiceNo })
        .onConflictDoNothing()
        .returning({ code: suppliers.supplierCode })
      if (rows.length === 0) return false
      await tx.insert(auditLog).values(auditRow(audit))
      return true
    })
  }
}

export class DrizzleSupplierAccountRepository implements SupplierAccountRepository {
  constructor(private readonly db: Db) {}

  async create(a: SupplierAccount, audit: AuditEntry): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .insert(supplierAccounts)
        .values({
          supplierAccountId: a.supplierAccountId,
          supplierAccountInvoiceNo: a.supplierAccountInvoiceNo,
          supplierCode: a.supplierCode,
          supplierAccountName: a.supplierAccountName,
          supplierAccountSecretCode: a.secretHash,
          supplierAccountSecretKeyId: a.secretKeyId,
        })
        .onConflictDoNothing()
        .returning({ id: supplierAccounts.supplierAccountId })
      if (rows.length === 0) return false
      await tx.insert(auditLog).values(auditRow(audit))
      return true
    })
  }
}
