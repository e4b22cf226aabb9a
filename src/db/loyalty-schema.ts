/**
 * Loyalty (seeds 000, 001): the points ledger and its balances, PayPay account links, cashbacks,
 * reversals and the manifest of daily transaction-history files. Money and points invariants are
 * the database's own: a balance never below zero, one ledger entry per idempotency key, a
 * reversal reservation never above what was granted.
 */
import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, type PgColumn } from 'drizzle-orm/pg-core'

const utc = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })

/**
 * The columns a cashback and a reversal both have: each is a PayPay request
 * (src/loyalty/domain/paypay-request.ts) for an amount of one user's, with a lease held by the job
 * that calls PayPay, its last error and PayPay's failure code, and its timeline. A function, as a
 * drizzle column builder belongs to one table.
 */
const payPayRequestColumns = () => ({
  userId: text('user_id').notNull(),
  amount: integer('amount').notNull(),
  status: text('status').notNull(),
  /** The client's Idempotency-Key of the request that created it. */
  requestKey: text('request_key'),
  leaseToken: text('lease_token'),
  leaseUntil: utc('lease_until'),
  lastError: text('last_error'),
  failureCode: text('failure_code'),
  requestedAt: utc('requested_at').notNull(),
  acceptedAt: utc('accepted_at'),
  completedAt: utc('completed_at'),
  lastCheckedAt: utc('last_checked_at'),
  updatedAt: utc('updated_at').notNull(),
})

/** The indexes and status check both request tables have: the checks scan the open ones by age. */
const payPayRequestExtras = (table: string, t: { status: PgColumn; requestedAt: PgColumn }) => [
  index(`${table}_requested_idx`).on(t.requestedAt),
  index(`${table}_open_idx`).on(t.status, t.requestedAt).where(sql`${t.status} in ('requested', 'accepted')`),
  check(`${table}_status_chk`, sql`${t.status} in ('requested', 'accepted', 'succeeded', 'failed')`),
]

/** One row per user with points; the guarded update and the CHECK keep it from going negative. */
export const pointsAccounts = pgTable(
  'points_accounts',
  {
    userId: text('user_id').primaryKey(),
    balance: integer('balance').notNull().default(0),
    updatedAt: utc('updated_at').notNull().defaultNow(),
  },
  (t) => [check('points_accounts_balance_chk', sql`${t.balance} >= 0`)],
)

/** Append-only: every change of a balance is one entry, written in the same transaction. */
export const pointsLedger = pgTable(
  'points_ledger',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    kind: text('kind').notNull(),
    points: integer('points').notNull(),
    balanceAfter: integer('balance_after').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    referenceType: text('reference_type'),
    referenceId: text('reference_id'),
    reason: text('reason'),
    actor: text('actor').notNull(),
    requestId: text('request_id').notNull(),
    createdAt: utc('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('points_ledger_idempotency_key_uq').on(t.idempotencyKey),
    index('points_ledger_user_idx').on(t.userId, t.id),
    check('points_ledger_kind_chk', sql`${t.kind} in ('earn', 'exchange_debit', 'refund_credit', 'reversal_credit', 'adjustment')`),
    check(
      'points_ledger_sign_chk',
      sql`${t.points} <> 0 and (${t.kind} = 'adjustment' or (${t.kind} = 'exchange_debit') = (${t.points} < 0))`,
    ),
    check('points_ledger_balance_chk', sql`${t.balanceAfter} >= 0`),
  ],
)

export const paypayLinkSessions = pgTable(
  'paypay_link_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    nonce: text('nonce').notNull(),
    status: text('status').notNull(),
    linkUrl: text('link_url'),
    userAuthorizationId: text('user_authorization_id'),
    expiresAt: utc('expires_at').notNull(),
    createdAt: utc('created_at').notNull(),
    completedAt: utc('completed_at'),
  },
  (t) => [
    index('paypay_link_sessions_user_idx').on(t.userId),
    check('paypay_link_sessions_status_chk', sql`${t.status} in ('pending', 'linked', 'declined', 'failed')`),
  ],
)

/** The user's current PayPay authorization (one per user; linking again replaces it). */
export const paypayLinks = pgTable(
  'paypay_links',
  {
    userId: text('user_id').primaryKey(),
    userAuthorizationId: text('user_authorization_id').notNull(),
    status: text('status').notNull(),
    profileIdentifier: text('profile_identifier'),
    expiresAt: utc('expires_at'),
    linkedAt: utc('linked_at').notNull(),
    updatedAt: utc('updated_at').notNull(),
  },
  (t) => [
    index('paypay_links_authorization_idx').on(t.userAuthorizationId),
    check('paypay_links_status_chk', sql`${t.status} in ('linked', 'unlinked', 'expired', 'revoked')`),
  ],
)

export const paypayCashbacks = pgTable(
  'paypay_cashbacks',
  {
    merchantCashbackId: text('merchant_cashback_id').primaryKey(),
    ...payPayRequestColumns(),
    userAuthorizationId: text('user_authorization_id').notNull(),
    points: integer('points').notNull(),
    currency: text('currency').notNull().default('JPY'),
    giveAttempts: integer('give_attempts').notNull().default(0),
    paypayCashbackId: text('paypay_cashback_id'),
    reversalReserved: integer('reversal_reserved').notNull().default(0),
    reversedAmount: integer('reversed_amount').notNull().default(0),
  },
  (t) => [
    // The exchange's Idempotency-Key is unique per user.
    uniqueIndex('paypay_cashbacks_request_key_uq').on(t.userId, t.requestKey),
    index('paypay_cashbacks_user_idx').on(t.userId, t.merchantCashbackId),
    ...payPayRequestExtras('paypay_cashbacks', t),
    check('paypay_cashbacks_amount_chk', sql`${t.points} > 0 and ${t.amount} > 0`),
    check('paypay_cashbacks_currency_chk', sql`${t.currency} = 'JPY'`),
    // Only a granted cashback can be reversed, and never by more than was granted.
    check(
      'paypay_cashbacks_reversal_chk',
      sql`${t.reversalReserved} >= 0 and ${t.reversalReserved} <= ${t.amount} and ${t.reversedAmount} >= 0 and ${t.reversedAmount} <= ${t.reversalReserved} and (${t.reversalReserved} = 0 or ${t.status} = 'succeeded')`,
    ),
  ],
)

export const paypayCashbackReversals = pgTable(
  'paypay_cashback_reversals',
  {
    merchantCashbackReversalId: text('merchant_cashback_reversal_id').primaryKey(),
    merchantCashbackId: text('merchant_cashback_id')
      .notNull()
      .references(() => paypayCashbacks.merchantCashbackId),
    ...payPayRequestColumns(),
    reversedAmount: integer('reversed_amount'),
    reason: text('reason'),
    attempts: integer('attempts').notNull().default(0),
    paypayReversalId: text('paypay_reversal_id'),
    requestedBy: text('requested_by').notNull(),
  },
  (t) => [
    uniqueIndex('paypay_cashback_reversals_request_key_uq').on(t.merchantCashbackId, t.requestKey),
    index('paypay_cashback_reversals_cashback_idx').on(t.merchantCashbackId),
    ...payPayRequestExtras('paypay_cashback_reversals', t),
    check(
      'paypay_cashback_reversals_amount_chk',
      sql`${t.amount} > 0 and (${t.reversedAmount} is null or (${t.reversedAmount} >= 0 and ${t.reversedAmount} <= ${t.amount}))`,
    ),
    check('paypay_cashback_reversals_succeeded_chk', sql`(${t.status} = 'succeeded') = (${t.reversedAmount} is not null)`),
  ],
)

/** Manifest of transaction-history files in the object store: one per (source, JST day). */
export const paypayHistoryFiles = pgTable(
  'paypay_history_files',
  {
    id: text('id').primaryKey(),
    source: text('source').notNull(),
    businessDate: text('business_date').notNull(),
    objectKey: text('object_key').notNull(),
    rowCount: integer('row_count').notNull(),
    sha256: text('sha256').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: utc('created_at').notNull(),
    updatedAt: utc('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('paypay_history_files_day_uq').on(t.source, t.businessDate),
    uniqueIndex('paypay_history_files_key_uq').on(t.objectKey),
    check('paypay_history_files_source_chk', sql`${t.source} in ('ours', 'paypay')`),
    check('paypay_history_files_date_chk', sql`${t.businessDate} ~ '^\\d{4}-\\d{2}-\\d{2}$'`),
  ],
)
