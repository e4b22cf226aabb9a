import type { AuditEntry } from '../shared/audit.ts'
import type { Auction, AuctionId, Award, AwardEvent, AwardId, AwardStatus, RunnerUp } from './domain/auction.ts'
import type { Booking, BookingId } from './domain/booking.ts'
import type { Night } from './domain/nights.ts'
import type { PaymentSession, PaymentSessionId, SessionEvent, SessionStatus } from './domain/payment-session.ts'
import type { Property, PropertyId } from './domain/property.ts'
import type { Refund, RefundEvent, RefundId, RefundStatus } from './domain/refund.ts'

// ---- the payment gateway (ZaloPay Open API v2) --------------------------------------------------

export interface GatewayOrder {
  readonly appTransId: string
  readonly appUser: string
  readonly appTime: number
  readonly amount: number
  readonly description: string
  /** JSON array string, sent and MAC'ed exactly as given. */
  readonly item: string
  /** JSON object string (carries `redirecturl`). */
  readonly embedData: string
  readonly callbackUrl: string
  readonly expireSeconds: number
}

export type CreateOrderAnswer =
  | { readonly ok: true; readonly orderUrl: string; readonly zpTransToken: string }
  | { readonly ok: false; readonly duplicate: boolean; readonly subCode: number; readonly message: string }

/** What the gateway says about an order, from its query API (or a verified callback). */
export type GatewayObservation =
  | { readonly status: 'paid'; readonly amount: number; readonly transactionId: string; readonly paidAt: Date }
  | { readonly status: 'pending' | 'processing' | 'unknown' }
  | { readonly status: 'failed' | 'cancelled' | 'expired'; readonly subCode: number }

export type CallbackCheck =
  | {
      readonly ok: true
      readonly appTransId: string
      readonly transactionId: string
      readonly amount: number
      readonly data: Record<string, unknown>
    }
  | { readonly ok: false; readonly reason: 'malformed' | 'mac' }

export type RefundObservation =
  | { readonly status: 'processing' | 'succeeded'; readonly gatewayRefundId?: string }
  | { readonly status: 'failed'; readonly subCode: number; readonly message: string }

/**
 * ZaloPay as the bookings context needs it. Requests carry key1 MACs; callbacks are verified with
 * key2 over the exact `data` string in constant time. Transport failures throw (the edge answers
 * 503); business answers come back as values.
 */
export interface PaymentGateway {
  readonly appId: number
  createOrder(order: GatewayOrder): Promise<CreateOrderAnswer>
  queryOrder(appTransId: string): Promise<GatewayObservation>
  verifyCallback(rawBody: string): Promise<CallbackCheck>
  refund(r: {
    mRefundId: string
    transactionId: string
    amount: number
    description: string
    timestamp: number
  }): Promise<RefundObservation>
  queryRefund(mRefundId: string, timestamp: number): Promise<RefundObservation>
}

// ---- repositories -------------------------------------------------------------------------------

export interface PropertyRepository {
  create(p: Property, audit: AuditEntry): Promise<void>
  find(id: PropertyId): Promise<Property | null>
  /**
   * Of the given nights, those already taken: booked, in an open auction, or held by a live award
   * (offered, awarded or paid) of a closed one.
   */
  claimedNights(propertyId: PropertyId, nights: readonly Night[]): Promise<Night[]>
  /** The property with its booked nights between two nights (inclusive), in one read; null if unknown. */
  calendar(propertyId: PropertyId, from: Night, to: Night): Promise<{ property: Property; booked: Night[] } | null>
}

export interface NewAward {
  readonly award: Award
  readonly runnersUp: readonly RunnerUp[]
}

export interface NextOffer {
  readonly root: Award
  readonly propertyName: string
  readonly liveClaim: boolean
  readonly runnerUp: RunnerUp | null
}

export interface AuctionRepository {
  create(a: Auction, audit: AuditEntry): Promise<void>
  find(id: AuctionId): Promise<Auction | null>
  /** Closes an OPEN auction and stores its awards in one transaction; false if it was not open. */
  recordResults(auctionId: AuctionId, awards: readonly NewAward[], at: Date, audit: AuditEntry): Promise<boolean>
  findAward(id: AwardId): Promise<Award | null>
  /** The user's most recent claim on the auction, whatever its state. */
  latestClaim(auctionId: AuctionId, userId: string): Promise<Award | null>
  listForUser(userId: string): Promise<Award[]>
  /** Guarded: applies `event` if the award is still in `from`; null when it moved meanwhile. */
  transition(id: AwardId, from: AwardStatus, event: AwardEvent, patch: { paymentDeadline?: Date }, audit: AuditEntry): Promise<Award | null>
  /** AWARDED → LAPSED only while no payment session of it is open or paid; null otherwise. */
  lapseUnpaid(id: AwardId, audit: AuditEntry): Promise<Award | null>
  /**
   * What offering the nights of `rootAwardId` again needs, in one read: the root award, its
   * property's name, whether a claim on the nights is live, and the best runner-up not yet offered
   * (nor holding a claim of the root already).
   */
  nextOffer(rootAwardId: AwardId): Promise<NextOffer | null>
  /**
   * Stores the offer made to runner-up `rank` in one statement, guarded: the runner-up not yet
   * offered and no claim of the root live. False when either moved meanwhile.
   */
  commitOffer(offer: Award, rank: number, audit: AuditEntry): Promise<boolean>
  /** AWARDED claims past their payment deadline and OFFERED ones past their response deadline. */
  findOverdue(now: Date, limit: number): Promise<Award[]>
}

export interface PaymentSessionRepository {
  /**
   * Inserts a CREATED session if its award is still AWARDED (the award row is locked meanwhile);
   * when another live session of the award exists it is returned instead.
   */
  open(s: PaymentSession, audit: AuditEntry): Promise<{ session: PaymentSession; created: boolean } | { awardGone: true }>
  find(id: PaymentSessionId): Promise<PaymentSession | null>
  findByAppTransId(appTransId: string): Promise<PaymentSession | null>
  findByTransactionId(transactionId: string): Promise<PaymentSession | null>
  /** The award's CREATED, PENDING or PAID session, if any. */
  findLive(awardId: AwardId): Promise<PaymentSession | null>
  /**
   * Guarded transition: applies `event` if the session is still in `from`, with the patch, the
   * refund row if any and the audit row in one statement; a `pay` also marks the award PAID. Null
   * when it moved meanwhile (or the table refuses the move).
   */
  transition(
    id: PaymentSessionId,
    from: SessionStatus,
    event: SessionEvent,
    patch: { orderUrl?: string; zpTransToken?: string; transactionId?: string; paidAt?: Date; failureReason?: string },
    audit: AuditEntry,
    refund?: Refund,
  ): Promise<PaymentSession | null>
  /**
   * The session a verified callback is about, and the callback stored once per (app_trans_id,
   * zp_trans_id) in the same statement (`first`: this delivery stored it); null for an unknown
   * app_trans_id (nothing is stored then).
   */
  receiveCallback(
    appTransId: string,
    transactionId: string,
    data: Record<string, unknown>,
    at: Date,
  ): Promise<{ session: PaymentSession; first: boolean } | null>
  /** Open sessions created before `openedBefore` or past their expiry. */
  findToReconcile(now: Date, openedBefore: Date, limit: number): Promise<PaymentSession[]>
  /** PAID sessions without a booking, paid before `paidBefore`. */
  findPaidWithoutBooking(paidBefore: Date, limit: number): Promise<PaymentSessionId[]>
}

export interface BookingRepository {
  /** Inserts a PENDING booking for a payment; the payment's existing booking when there is one. */
  createForPayment(b: Booking, audit: AuditEntry): Promise<Booking>
  /** Inserts a CONFIRMED booking with its nights in one transaction, or says which nights are taken. */
  createDirect(b: Booking, audit: AuditEntry): Promise<{ ok: true; booking: Booking } | { ok: false; taken: Night[] }>
  find(id: BookingId): Promise<Booking | null>
  findByPayment(sessionId: PaymentSessionId): Promise<Booking | null>
  /**
   * What making the booking of a payment needs, in one read: the session, its booking if one
   * exists, and the property its auction is for (null when the auction or property is gone).
   */
  forPayment(sessionId: PaymentSessionId): Promise<{ session: PaymentSession; booking: Booking | null; property: Property | null } | null>
  listForUser(userId: string, page: { limit: number; before?: BookingId }): Promise<Booking[]>
  /**
   * Puts the booking's nights on the calendar and confirms it (PENDING → CONFIRMED), all or
   * nothing: a night the database already holds for another booking is reported instead.
   */
  blockNights(id: BookingId, at: Date, audit: AuditEntry): Promise<{ ok: true; booking: Booking } | { ok: false; taken: Night[] }>
  /**
   * Cancels (guarded on `from`) and frees its nights, with the refund row if any, in one statement.
   * Answers the booking and the session's refund (the one stored now or an earlier one).
   */
  cancel(
    id: BookingId,
    from: Booking['status'],
    reason: string,
    at: Date,
    audit: AuditEntry,
    refund?: Refund,
  ): Promise<{ booking: Booking; refund: Refund | null } | null>
  /** The booking's conversation thread: created once, the same id afterwards. */
  openConversation(b: Booking, threadId: string, at: Date): Promise<string>
  /**
   * Queues an email once per (booking, template); false when it was already queued. With
   * `claimedAt` it is stored already claimed for one sending attempt (see claimEmail), so the
   * caller may hand it to the mailer at once.
   */
  queueEmail(e: OutboxEmail, claimedAt?: Date): Promise<boolean>
  pendingEmails(limit: number): Promise<OutboxEmail[]>
  /**
   * Takes a pending email for one sending attempt (counted): true for one caller only, so
   * concurrent sweeps never hand the same email to the mailer twice. The claim lapses after
   * `leaseMs`, so an email whose sender died is sent by a later sweep.
   */
  claimEmail(id: string, now: Date, leaseMs: number): Promise<boolean>
  markEmailSent(id: string, at: Date): Promise<void>
  /** The attempt failed: frees the claim so the next sweep retries it. */
  releaseEmail(id: string): Promise<void>
  markConfirmedPushed(id: BookingId, at: Date): Promise<void>
  /** Bookings whose follow-up steps are not all done, last touched before `before`. */
  findUnfinished(before: Date, limit: number): Promise<Array<{ booking: Booking; conversation: boolean; email: boolean }>>
}

export interface OutboxEmail {
  readonly id: string
  readonly bookingId: BookingId
  readonly template: string
  readonly recipientUserId: string
  readonly subject: string
  readonly body: string
  readonly createdAt: Date
}

export interface RefundRepository {
  find(id: RefundId): Promise<Refund | null>
  findForSession(sessionId: PaymentSessionId): Promise<Refund | null>
  /** Inserts the refund unless the session already has one; returns the one that exists. */
  request(r: Refund, audit: AuditEntry): Promise<Refund>
  /** Guarded on `from`; the patch lands with the move (or alone when `event` is null). */
  update(
    id: RefundId,
    from: RefundStatus,
    event: RefundEvent | null,
    patch: { mRefundId?: string; gatewayRefundId?: string; requestedAt?: Date; attempts?: number },
    at: Date,
  ): Promise<Refund | null>
  findOpen(limit: number): Promise<Refund[]>
}

/** Where confirmation emails go (a provider in production; the log locally). */
export interface EmailSender {
  send(m: { toUserId: string; subject: string; body: string }): Promise<void>
}
