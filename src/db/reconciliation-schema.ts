import { pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * Mismatches an operator has looked at and accepted (refunded on the dashboard, charged amount
 * settled by hand, ...). Keyed by the mismatch's fingerprint: both sides exactly as they were seen,
 * so a mismatch that changes again is listed again.
 */
export const reconciliationAcknowledgements = pgTable('reconciliation_acknowledgements', {
  fingerprint: text('fingerprint').primaryKey(),
  kind: text('kind').notNull(),
  note: text('note').notNull(),
  acknowledgedBy: text('acknowledged_by').notNull(),
  acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true, mode: 'date' }).notNull(),
})
