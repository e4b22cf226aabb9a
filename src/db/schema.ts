/**
 * The one drizzle schema of the service; `drizzle-kit generate` turns it into the SQL migrations in
 * drizzle/. Gift tables keep the column names the shop system already uses (seed 002).
 */
import { sql } from 'drizzle-orm'
import { bigserial, check, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp } from 'drizzle-orm/pg-core'

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
    /**
     * The PIN is never stored. With a key id: base64 HMAC-SHA256 of the supplier code and PIN under
     * the pepper of that id (GIFT_PIN_PEPPER). Without (rows from before issue 14):
     * `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`, rewritten on the next successful use.
     */
    supplierAccountSecretCode: text('supplier_account_secret_code').notNull(),
    supplierAccountSecretKeyId: text('supplier_account_secret_key_id'),
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

// ---- identity (seed 004 §5) ---------------------------------------------------------------------

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  /** Stored lower-cased and trimmed; unique. */
  email: text('email').notNull().unique(),
  /** `pbkdf2-sha256$<iterations>$<salt>$<hash>`: the password itself is never stored. */
  passwordHash: text('password_hash').notNull(),
  roles: text('roles').array().notNull().default(sql`'{}'::text[]`),
  createdAt: utc('created_at').notNull().defaultNow(),
})

// ---- catalog (seed 004 "Optimistic Locking") ----------------------------------------------------

export const products = pgTable('products', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  status: text('status', { enum: ['active', 'archived'] })
    .notNull()
    .default('active'),
  createdAt: utc('created_at').notNull().defaultNow(),
  updatedAt: utc('updated_at').notNull().defaultNow(),
})

export const productVariants = pgTable(
  'product_variants',
  {
    id: text('id').primaryKey(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    sku: text('sku').notNull().unique(),
    name: text('name').notNull(),
    priceAmount: integer('price_amount').notNull(),
    currency: text('currency').notNull(),
    /** Units on hand: sold units leave it when a reservation is committed. */
    stock: integer('stock').notNull(),
    /** Units held by active reservations (expired ones included until someone releases them). */
    reserved: integer('reserved').notNull().default(0),
    /** Bumped on every change of stock (restock, commit), the optimistic lock of seed 004. */
    version: integer('version').notNull().default(1),
    createdAt: utc('created_at').notNull().defaultNow(),
    updatedAt: utc('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('product_variants_product_idx').on(t.productId),
    // The database's own guard: whatever a lock or a bug does, stock never goes negative and what is
    // reserved never exceeds what is on hand (reserved + sold <= everything ever stocked).
    check('product_variants_stock_chk', sql`${t.stock} >= 0`),
    check('product_variants_reserved_chk', sql`${t.reserved} >= 0 and ${t.reserved} <= ${t.stock}`),
    check('product_variants_price_chk', sql`${t.priceAmount} >= 0`),
    check('product_variants_currency_chk', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
)

// ---- inventory (seed 004 §4) -------------------------------------------------------------------

export const reservations = pgTable(
  'reservations',
  {
    variantId: text('variant_id')
      .notNull()
      .references(() => productVariants.id),
    /** No foreign key: stock is reserved before the order row exists; an orphan simply expires. */
    orderId: text('order_id').notNull(),
    quantity: integer('quantity').notNull(),
    reservedUntil: utc('reserved_until').notNull(),
    status: text('status', { enum: ['active', 'committed', 'released', 'expired'] }).notNull(),
    releasedAt: utc('released_at'),
    createdAt: utc('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.variantId] }),
    index('reservations_active_variant_idx').on(t.variantId).where(sql`${t.status} = 'active'`),
    index('reservations_active_until_idx').on(t.reservedUntil).where(sql`${t.status} = 'active'`),
    check('reservations_quantity_chk', sql`${t.quantity} > 0`),
    check('reservations_released_chk', sql`(${t.status} = 'active') = (${t.releasedAt} is null)`),
  ],
)

// ---- orders (seed 004 §1) ----------------------------------------------------------------------

export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    status: text('status').notNull(),
    currency: text('currency').notNull(),
    totalAmount: integer('total_amount').notNull(),
    expiresAt: utc('expires_at').notNull(),
    createdAt: utc('created_at').notNull(),
    updatedAt: utc('updated_at').notNull(),
  },
  (t) => [
    index('orders_user_idx').on(t.userId, t.id),
    index('orders_awaiting_expiry_idx').on(t.expiresAt).where(sql`${t.status} = 'awaiting_payment'`),
    check('orders_total_chk', sql`${t.totalAmount} >= 0`),
  ],
)

export const orderLines = pgTable(
  'order_lines',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    variantId: text('variant_id')
      .notNull()
      .references(() => productVariants.id),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    unitAmount: integer('unit_amount').notNull(),
    quantity: integer('quantity').notNull(),
    lineAmount: integer('line_amount').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.variantId] }),
    check('order_lines_quantity_chk', sql`${t.quantity} > 0`),
    check('order_lines_amount_chk', sql`${t.lineAmount} = ${t.unitAmount} * ${t.quantity}`),
  ],
)

// ---- carts (seed 004 §5) -----------------------------------------------------------------------

export const cartItems = pgTable(
  'cart_items',
  {
    userId: text('user_id').notNull(),
    variantId: text('variant_id')
      .notNull()
      .references(() => productVariants.id),
    quantity: integer('quantity').notNull(),
    updatedAt: utc('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.variantId] }), check('cart_items_quantity_chk', sql`${t.quantity} > 0`)],
)

/**
 * One row per guest cart revision merged into a user cart: the unique key is what makes a retried
 * or concurrent login merge a guest cart at most once.
 */
export const cartMerges = pgTable(
  'cart_merges',
  {
    sessionId: text('session_id').notNull(),
    revision: text('revision').notNull(),
    userId: text('user_id').notNull(),
    mergedAt: utc('merged_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.revision] })],
)
export * from './files-schema.ts'
export * from './payments-schema.ts'
export * from './loyalty-schema.ts'
export * from './bookings-schema.ts'
export * from './reconciliation-schema.ts'
