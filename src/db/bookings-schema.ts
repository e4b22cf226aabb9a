/**
 * Auction bookings paid with ZaloPay (seed 003): properties and their nightly calendar, auctions,
 * awards (winners and second-chance offers), payment sessions, the ZaloPay callbacks received,
 * bookings with their follow-up steps (conversation thread, confirmation email outbox) and refunds.
 */
import { sql } from 'drizzle-orm'
import {
  bigint,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core'

const utc = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })
const night = (name: string) => date(name, { mode: 'string' })

export const properties = pgTable(
  'properties',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    hostId: text('host_id').notNull(),
    maxGuests: integer('max_guests').notNull(),
    /** Price of one night for direct bookings, in the currency's minor unit (VND has none). */
    nightlyRate: integer('nightly_rate').notNull(),
    currency: text('currency').notNull(),
    createdAt: utc('created_at').notNull(),
  },
  (t) => [
    check('properties_guests_chk', sql`${t.maxGuests} between 1 and 100`),
    check('properties_rate_chk', sql`${t.nightlyRate} >= 0`),
    check('properties_currency_chk', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
)

/**
 * The calendar: one row per booked night. The primary key is the database's own refusal of a
 * night booked twice, whatever the application does; cancelling a booking deletes its rows.
 */
export const propertyNights = pgTable(
  'property_nights',
  {
    propertyId: text('property_id')
      .notNull()
      .references(() => properties.id),
    night: night('night').notNull(),
    bookingId: text('booking_id')
      .notNull()
      .references((): AnyPgColumn => bookings.id),
    createdAt: utc('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.propertyId, t.night] }), index('property_nights_booking_idx').on(t.bookingId)],
)

export const auctions = pgTable(
  'auctions',
  {
    id: text('id').primaryKey(),
    propertyId: text('property_id')
      .notNull()
      .references(() => properties.id),
    nights: night('nights').array().notNull(),
    status: text('status', { enum: ['OPEN', 'CLOSED'] }).notNull(),
    endsAt: utc('ends_at').notNull(),
    createdAt: utc('created_at').notNull(),
    closedAt: utc('closed_at'),
  },
  (t) => [index('auctions_property_idx').on(t.propertyId), check('auctions_nights_chk', sql`cardinality(${t.nights}) between 1 and 366`)],
)

/**
 * What a user may pay for: a winner's award (`awd_`) or a second-chance offer (`off_`) of the same
 * nights to the next bidder. `root_award_id` ties an offer to the award it replaces; the partial
 * unique index lets only one claim on those nights be live at a time.
 */
export const auctionAwards = pgTable(
  'auction_awards',
  {
    id: text('id').primaryKey(),
    auctionId: text('auction_id')
      .notNull()
      .references(() => auctions.id),
    rootAwardId: text('root_award_id').notNull(),
    kind: text('kind', { enum: ['WINNER', 'SECOND_CHANCE'] }).notNull(),
    userId: text('user_id').notNull(),
    nights: night('nights').array().notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status').notNull(),
    /** Winners: from the result. Offers: set when accepted. */
    paymentDeadline: utc('payment_deadline'),
    /** Offers only: accept or decline before this. */
    responseDeadline: utc('response_deadline'),
    createdAt: utc('created_at').notNull(),
    updatedAt: utc('updated_at').notNull(),
  },
  (t) => [
    index('auction_awards_user_idx').on(t.userId, t.id),
    index('auction_awards_auction_user_idx').on(t.auctionId, t.userId),
    uniqueIndex('auction_awards_one_live_claim_uq').on(t.rootAwardId).where(sql`${t.status} in ('OFFERED', 'AWARDED', 'PAID')`),
    check('auction_awards_amount_chk', sql`${t.amount} > 0`),
    check('auction_awards_nights_chk', sql`cardinality(${t.nights}) >= 1`),
  ],
)

/** The bidders behind a winner, best first: who gets the second-chance offer if the winner lapses. */
export const auctionRunnersUp = pgTable(
  'auction_runners_up',
  {
    rootAwardId: text('root_award_id')
      .notNull()
      .references(() => auctionAwards.id),
    rank: integer('rank').notNull(),
    userId: text('user_id').notNull(),
    amount: integer('amount').notNull(),
    offeredAt: utc('offered_at'),
  },
  (t) => [primaryKey({ columns: [t.rootAwardId, t.rank] }), check('auction_runners_up_amount_chk', sql`${t.amount} > 0`)],
)

export const paymentSessions = pgTable(
  'payment_sessions',
  {
    id: text('id').primaryKey(),
    auctionId: text('auction_id').notNull(),
    awardId: text('award_id')
      .notNull()
      .references(() => auctionAwards.id),
    userId: text('user_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    nights: night('nights').array().notNull(),
    guestCount: integer('guest_count').notNull(),
    status: text('status').notNull(),
    /** `yymmdd_<ulid>` (GMT+7 date): ZaloPay's order id. */
    appTransId: text('app_trans_id').notNull().unique(),
    appTime: bigint('app_time', { mode: 'number' }).notNull(),
    description: text('description').notNull(),
    orderUrl: text('order_url'),
    zpTransToken: text('zp_trans_token'),
    /** ZaloPay's transaction id (zp_trans_id): the seed's transactionId. */
    transactionId: text('transaction_id').unique(),
    failureReason: text('failure_reason'),
    paidAt: utc('paid_at'),
    expiresAt: utc('expires_at').notNull(),
    createdAt: utc('created_at').notNull(),
    updatedAt: utc('updated_at').notNull(),
  },
  (t) => [
    index('payment_sessions_user_idx').on(t.userId, t.id),
    index('payment_sessions_open_idx').on(t.createdAt).where(sql`${t.status} in ('CREATED', 'PENDING')`),
    // A retried create finds the live session instead of opening a second ZaloPay order.
    uniqueIndex('payment_sessions_one_live_per_award_uq').on(t.awardId).where(sql`${t.status} in ('CREATED', 'PENDING', 'PAID')`),
    check('payment_sessions_amount_chk', sql`${t.amount} > 0`),
    check('payment_sessions_paid_chk', sql`(${t.status} = 'PAID') = (${t.paidAt} is not null)`),
  ],
)

/** Every verified ZaloPay callback, once: the key is the gateway's own (order, transaction). */
export const zalopayCallbacks = pgTable(
  'zalopay_callbacks',
  {
    appTransId: text('app_trans_id').notNull(),
    zpTransId: text('zp_trans_id').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    receivedAt: utc('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.appTransId, t.zpTransId] })],
)

export const bookings = pgTable(
  'bookings',
  {
    id: text('id').primaryKey(),
    referenceNumber: text('reference_number').notNull().unique(),
    propertyId: text('property_id')
      .notNull()
      .references(() => properties.id),
    /** The property's name when booked (what the guest was shown). */
    propertyName: text('property_name').notNull(),
    userId: text('user_id').notNull(),
    hostId: text('host_id').notNull(),
    /** One booking per payment: a retried create finds it. Null for direct bookings. */
    paymentSessionId: text('payment_session_id').unique(),
    nights: night('nights').array().notNull(),
    checkIn: night('check_in').notNull(),
    checkOut: night('check_out').notNull(),
    guestCount: integer('guest_count').notNull(),
    totalAmount: integer('total_amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status').notNull(),
    cancelReason: text('cancel_reason'),
    confirmedPushedAt: utc('confirmed_pushed_at'),
    createdAt: utc('created_at').notNull(),
    updatedAt: utc('updated_at').notNull(),
  },
  (t) => [
    index('bookings_user_idx').on(t.userId, t.id),
    index('bookings_pending_idx').on(t.createdAt).where(sql`${t.status} = 'PENDING'`),
    check('bookings_dates_chk', sql`${t.checkOut} > ${t.checkIn}`),
    check('bookings_amount_chk', sql`${t.totalAmount} >= 0`),
    check('bookings_guests_chk', sql`${t.guestCount} >= 1`),
  ],
)

export const bookingConversations = pgTable('booking_conversations', {
  threadId: text('thread_id').primaryKey(),
  bookingId: text('booking_id')
    .notNull()
    .unique()
    .references(() => bookings.id),
  guestId: text('guest_id').notNull(),
  hostId: text('host_id').notNull(),
  createdAt: utc('created_at').notNull(),
})

/** Emails to send: written once per (booking, template), handed to the mailer by a job. */
export const bookingEmailOutbox = pgTable(
  'booking_email_outbox',
  {
    id: text('id').primaryKey(),
    bookingId: text('booking_id')
      .notNull()
      .references(() => bookings.id),
    template: text('template').notNull(),
    recipientUserId: text('recipient_user_id').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: ['PENDING', 'SENT'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    createdAt: utc('created_at').notNull(),
    sentAt: utc('sent_at'),
  },
  (t) => [
    uniqueIndex('booking_email_outbox_once_uq').on(t.bookingId, t.template),
    index('booking_email_outbox_pending_idx').on(t.createdAt).where(sql`${t.status} = 'PENDING'`),
  ],
)

/** ZaloPay refunds (cancelled bookings, payments that landed too late or with a wrong amount). */
export const zalopayRefunds = pgTable(
  'zalopay_refunds',
  {
    id: text('id').primaryKey(),
    paymentSessionId: text('payment_session_id')
      .notNull()
      .unique()
      .references(() => paymentSessions.id),
    bookingId: text('booking_id'),
    /** `yymmdd_<appid>_<id>`, fixed at the first attempt so a retry is the same refund. */
    mRefundId: text('m_refund_id').unique(),
    zpTransId: text('zp_trans_id').notNull(),
    amount: integer('amount').notNull(),
    reason: text('reason').notNull(),
    status: text('status').notNull(),
    gatewayRefundId: text('gateway_refund_id'),
    requestedAt: utc('requested_at'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: utc('created_at').notNull(),
    updatedAt: utc('updated_at').notNull(),
  },
  (t) => [
    index('zalopay_refunds_open_idx').on(t.updatedAt).where(sql`${t.status} in ('PENDING', 'PROCESSING')`),
    check('zalopay_refunds_amount_chk', sql`${t.amount} > 0`),
  ],
)
