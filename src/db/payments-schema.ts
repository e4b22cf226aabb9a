/**
 * Payments (seed 004 §1-3): Paystack payments, the refunds made against them, the webhook events
 * received (deduplicated by a key derived from each event), the transactional outbox of jobs, and
 * the outbox of emails that the dev mailbox shows.
 */
import { sql } from 'drizzle-orm'
import { bigserial, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

const utc = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })

export const payments = pgTable(
  'payments',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    userId: text('user_id').notNull(),
    provider: text('provider').notNull().default('paystack'),
    /** Our reference (`TXN-…`), sent to Paystack and echoed in its events. */
    reference: text('reference').notNull().unique(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status').notNull(),
    email: text('email').notNull(),
    authorizationUrl: text('authorization_url'),
    accessCode: text('access_code'),
    gatewayTransactionId: text('gateway_transaction_id'),
    /** What the gateway reported when it disagreed with what was initialized. */
    reviewReason: text('review_reason'),
    paidAt: utc('paid_at'),
    createdAt: utc('created_at').notNull(),
    updatedAt: utc('updated_at').notNull(),
  },
  (t) => [
    index('payments_order_idx').on(t.orderId),
    index('payments_initialized_idx').on(t.createdAt).where(sql`${t.status} = 'initialized'`),
    // One live Paystack transaction per order: a second initialize finds the first.
    uniqueIndex('payments_one_live_per_order_uq').on(t.orderId).where(sql`${t.status} = 'initialized'`),
    check('payments_amount_chk', sql`${t.amount} > 0`),
  ],
)

export const refunds = pgTable(
  'refunds',
  {
    id: text('id').primaryKey(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    reason: text('reason').notNull(),
    status: text('status').notNull(),
    gatewayRefundId: text('gateway_refund_id'),
    failureReason: text('failure_reason'),
    requestedBy: text('requested_by').notNull(),
    createdAt: utc('created_at').notNull(),
    updatedAt: utc('updated_at').notNull(),
  },
  (t) => [index('refunds_payment_idx').on(t.paymentId), check('refunds_amount_chk', sql`${t.amount} > 0`)],
)

export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    provider: text('provider').notNull(),
    /** Paystack sends no event id: derived from the event (see payments/domain/webhook-event.ts). */
    eventKey: text('event_key').notNull(),
    eventType: text('event_type').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status', { enum: ['processing', 'processed', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(1),
    /** A crashed processor's claim lapses then, so a retry can take the event over. */
    lockedUntil: utc('locked_until'),
    error: text('error'),
    receivedAt: utc('received_at').notNull(),
    processedAt: utc('processed_at'),
  },
  (t) => [uniqueIndex('webhook_events_key_uq').on(t.provider, t.eventKey)],
)

/**
 * Jobs written in the same transaction as the change that causes them, published after commit:
 * a rollback queues nothing, and a crash after commit is caught up by the reconciliation job.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    jobName: text('job_name').notNull(),
    payload: jsonb('payload').notNull(),
    deduplicationId: text('deduplication_id').notNull().unique(),
    createdAt: utc('created_at').notNull(),
    publishedAt: utc('published_at'),
  },
  (t) => [index('outbox_unpublished_idx').on(t.createdAt).where(sql`${t.publishedAt} is null`)],
)

/** The default email adapter: messages land here (and on the dev mailbox page). */
export const emails = pgTable('emails', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** One email per business fact: a redelivered job finds it already written. */
  deduplicationKey: text('deduplication_key').notNull().unique(),
  recipient: text('recipient').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  createdAt: utc('created_at').notNull(),
})
