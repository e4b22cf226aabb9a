import { eq, sql } from 'drizzle-orm'
import { giftCodes, supplierAccounts, suppliers } from '../../db/schema.ts'
import type { Db } from '../../platform/db.ts'
import { pgTextArray } from '../../platform/pg-array.ts'
import { auditInsertFrom } from '../../platform/unit-of-work-sql.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import { GIFT_STATUS_CODE, type GiftId, type GiftUse } from '../domain/gift.ts'
import type { SupplierCode } from '../domain/supplier.ts'
import type { PinSecret, RedemptionSnapshot, RedemptionStore, StoredPin } from '../ports.ts'
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
   * accounts' stored PINs (seed 002 step 3 reads them by supplier code; the peppered digest needs
   * the supplier code, which only this read finds, so the match itself is made in code). No row means no such gift; the supplier columns are null when neither
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
        pins: sql<unknown>`(select coalesce(json_agg(json_build_array(a.supplier_account_id,
            a.supplier_account_secret_key_id, a.supplier_account_secret_code)), '[]'::json)
          from supplier_accounts a where a.supplier_code = ${suppliers.supplierCode})`,
      })
      .from(giftCodes)
      .leftJoin(suppliers, eq(suppliers.supplierCode, supplierOfInvoice))
      .where(eq(giftCodes.giftId, giftId))
    if (!row) return { gift: null, supplier: null, pins: [] }
    const s = row.supplier
    return {
      gift: toGift(row.gift),
      supplier: s
        ? { supplierCode: s.supplierCode as SupplierCode, supplierName: s.supplierName, supplierInvoiceNo: s.supplierInvoiceNo }
        : null,
      pins: s ? parseStoredPins(row.pins) : [],
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

  /** Guarded by the secret verified: a PIN changed since the read is left as it now is. */
  async upgradePins(stale: readonly StoredPin[], current: PinSecret): Promise<void> {
    if (stale.length === 0) return
    await this.db.execute(sql`
      update ${supplierAccounts} a
         set supplier_account_secret_code = ${current.secret}, supplier_account_secret_key_id = ${current.keyId}
        from unnest(${pgTextArray(stale.map((p) => p.accountId))}::text[], ${pgTextArray(stale.map((p) => p.secret))}::text[]) as v(id, secret)
       where a.supplier_account_id = v.id and a.supplier_account_secret_code = v.secret`)
  }
}

/** postgres.js parses json columns; a driver that hands back the text is handled too. */
function parseStoredPins(v: unknown): StoredPin[] {
  const parsed: unknown = typeof v === 'string' ? JSON.parse(v) : v
  if (!Array.isArray(parsed)) return []
  return parsed.flatMap((x: unknown) =>
    Array.isArray(x) && typeof x[0] === 'string' && typeof x[2] === 'string'
      ? [{ accountId: x[0], keyId: typeof x[1] === 'string' ? x[1] : null, secret: x[2] }]
      : [],
  )
}
