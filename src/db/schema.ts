/**
 * The one drizzle schema of the service; `drizzle-kit generate` turns it into the SQL migrations in
 * drizzle/. Gift tables keep the column names the shop system already uses (seed 002).
 */
import { sql } from 'drizzle-orm'
import { bigserial, check, index, integer, jsonb, pgTable, smallint, text, timestamp } from 'drizzle-orm/pg-core'

const utc = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })

export const suppliers = pgTable('suppliers', {
  supplierCode: text('supplier_code').primaryKey(),
  supplierName: text('supplier_name').notNull(),
  supplierInvoiceNo: text('supplier_invoice_no').notNull().unique(),
  createdAt: utc('created_at').notNull().defaultNow(),
})

export const supplierAccounts = pgTable(
  'supplier_accounts',
  {
    supplierAccountId: text('supplier_account_id').primaryKey(),
    supplierAccountInvoiceNo: text('supplier_account_invoice_no').notNull().unique(),
    supplierCode: text('supplier_code')
      .notNull()
      .references(() => suppliers.supplierCode),
    supplierAccountName: text('supplier_account_name').notNull(),
    /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`: the PIN itself is never stored. */
    supplierAccountSecretCode: text('supplier_account_secret_code').notNull(),
    createdAt: utc('created_at').notNull().defaultNow(),
  },
  (t) => [index('supplier_accounts_supplier_code_idx').on(t.supplierCode)],
)

export const giftCodes = pgTable(
  'gift_codes',
  {
    giftId: text('gift_id').primaryKey(),
    /** 0 = unused, 1 = used (the shop system's encoding). */
    giftStatus: smallint('gift_status').notNull().default(0),
    giftAmount: integer('gift_amount').notNull(),
    giftCurrency: text('gift_currency').notNull(),
    giftValidFrom: utc('gift_valid_from'),
    giftValidUntil: utc('gift_valid_until'),
    giftUsedDatetime: utc('gift_used_datetime'),
    usedSupplierCode: text('used_supplier_code').references(() => suppliers.supplierCode),
    usedInvoiceNo: text('used_invoice_no'),
    createdAt: utc('created_at').notNull().defaultNow(),
  },
  (t) => [
    check('gift_codes_status_chk', sql`${t.giftStatus} in (0, 1)`),
    // A used gift always says when; an unused one never does.
    check('gift_codes_used_consistent_chk', sql`(${t.giftStatus} = 1) = (${t.giftUsedDatetime} is not null)`),
    check('gift_codes_amount_chk', sql`${t.giftAmount} >= 0`),
    check('gift_codes_currency_chk', sql`${t.giftCurrency} ~ '^[A-Z]{3}$'`),
  ],
)

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    requestId: text('request_id').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>(),
    createdAt: utc('created_at').notNull(),
  },
  (t) => [index('audit_log_entity_idx').on(t.entityType, t.entityId)],
)
