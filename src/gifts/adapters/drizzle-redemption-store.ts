import { eq, sql } from 'drizzle-orm'
import { giftCodes, suppliers } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import { auditInsertFrom } from '../../platform/unit-of-work-sql.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import { GIFT_STATUS_CODE, type GiftId, type GiftUse } from '../domain/gift.ts'
import type { SupplierCode } from '../domain/supplier.ts'
import type { RedemptionSnapshot, RedemptionStore } from '../ports.ts'
import { toGift } from './drizzle-gift-repository.ts'

/**
 * A redemption in two statements (issue 13): on the edge each statement is a round trip to the
 * database's region, and a transaction would add BEGIN and COMMIT and hold the gift's row lock
 * across them. Decisions stay in the use case; these statements only read and apply them.
 */
export class DrizzleRedemptionStore implements RedemptionStore {
  constructor(private readonly db: Db) {}

  /**
   * The gift joined to the supplier the invoice number names: the supplier's own invoice number
   * first, else a shop account's (seed 002 step 2, the same order as before), with that supplier's
   * accounts' PIN hashes. No row means no such gift; the supplier columns are null when neither
   * table knows the invoice number.
   */
  async load(giftId: GiftId, invoiceNo: string): Promise<RedemptionSnapshot> {
    const supplierOfInvoice = sql`coalesce(
      (select s.supplier_code from suppliers s where s.supplier_invoice_no = ${invoiceNo}),
      (select a.supplier_code from supplier_accounts a where a.supplier_account_invoice_no = ${invoiceNo}))`
    const [row] = await this.db
      .select({
        gift: giftCodes,
        supplier: {
          supplierCode: suppliers.supplierCode,
          supplierName: suppliers.supplierName,
          supplierInvoiceNo: suppliers.supplierInvoiceNo,
        },
        pinHashes: sql<unknown>`(select coalesce(json_agg(a.supplier_account_secret_code), '[]'::json)
          from supplier_accounts a where a.supplier_code = ${suppliers.supplierCode})`,
      })
      .from(giftCodes)
      .leftJoin(suppliers, eq(suppliers.supplierCode, supplierOfInvoice))
      .where(eq(giftCodes.giftId, giftId))
    if (!row) return { gift: null, supplier: null, pinHashes: [] }
    const s = row.supplier
    return {
      gift: toGift(row.gift),
      supplier: s ? { supplierCode: s.supplierCode as SupplierCode, supplierName: s.supplierName, supplierInvoiceNo: s.supplierInvoiceNo } : null,
      pinHashes: s ? parseJsonArray(row.pinHashes) : [],
    }
  }

  /**
   * The status guard in WHERE makes concurrent redemptions safe: Postgres re-checks it after
   * waiting for the row lock, so only the first UPDATE matches, and the audit row is inserted only
   * from the row that UPDATE returned, in the same statement (all or nothing).
   */
  async markUsed(input: { giftId: GiftId; use: GiftUse & { supplierCode: SupplierCode }; audit: AuditEntry }): Promise<boolean> {
    const { giftId, use, audit } = input
    const rows = await this.db.execute(sql`
      with used as (
        update ${giftCodes}
           set gift_status = ${GIFT_STATUS_CODE.used}, gift_used_datetime = ${use.usedAt.toISOString()}::timestamptz,
               used_supplier_code = ${use.supplierCode}, used_invoice_no = ${use.invoiceNo}
         where gift_id = ${giftId} and gift_status = ${GIFT_STATUS_CODE.unused}
        returning gift_id
      ), audited as (${auditInsertFrom(audit, 'used')})
      select gift_id from used`)
    return rows.length === 1
  }
}

/** postgres.js parses json columns; a driver that hands back the text is handled too. */
function parseJsonArray(v: unknown): string[] {
  const parsed: unknown = typeof v === 'string' ? JSON.parse(v) : v
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : []
}
