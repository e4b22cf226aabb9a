import type { OrderStatus } from '../orders/domain/order.ts'
import type { AuditEntry } from '../shared/audit.ts'
import type { Money } from '../shared/money.ts'
import type { JobMessage } from '../shared/jobs.ts'
import type { Payment, PaymentId, PaymentReference, PaymentStatus, VerifiedCharge } from './domain/payment.ts'
import type { RefundId, RefundStatus } from './domain/refund.ts'
import type { RefundState } from './domain/refund-answer.ts'
import type { ChargeSnapshot, CommitLine } from './domain/settlement.ts'
import type { PaystackEvent } from './domain/webhook-event.ts'

/** A refusal by the gateway (its 4xx): permanent. Transient failures throw (503, retried). */
export type GatewayAnswer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string; readonly notFound?: boolean }

export interface GatewayRefund {
  readonly gatewayRefundId: string
  readonly amount: number
  readonly status: string
}

export interface PaymentGateway {
  initialize(input: {
    reference: PaymentReference
    amount: Money
    email: string
    callbackUrl: string
    metadata: Record<string, string>
  }): Promise<GatewayAnswer<{ authorizationUrl: string; accessCode: string }>>
  verify(reference: string): Promise<GatewayAnswer<VerifiedCharge>>
  refund(input: { reference: string; amount: Money; note: string }): Promise<GatewayAnswer<GatewayRefund>>
  listRefunds(reference: string): Promise<GatewayAnswer<GatewayRefund[]>>
  /** Checks `x-paystack-signature` over the raw bytes, in constant time. */
  verifySignature(rawBody: string, signature: string | null): Promise<boolean>
}

export interface AuditContext {
  readonly actor: string
  readonly requestId: string
  readonly now: Date
}

export type SettleOutcome =
  | { readonly kind: 'fulfilled'; readonly orderId: string; readonly jobs: readonly JobMessage[]; readonly reactivated: boolean }
  | { readonly kind: 'refund_required'; readonly orderId: string; readonly refundId: RefundId; readonly jobs: readonly JobMessage[] }
  | { readonly kind: 'flagged'; readonly reason: string }
  | { readonly kind: 'failed' }
  | { readonly kind: 'already_settled' }
  | { readonly kind: 'not_final' }
  | { readonly kind: 'unknown_reference' }

/** What holding a refund saw and did (one statement, under the payment's row lock). */
export interface RefundHold {
  /** null: no such payment. */
  readonly payment: Payment | null
  /** `existing`: a refund with this id was already held (the same request again): nothing new is held. */
  readonly outcome: 'held' | 'existing' | 'refused'
  /** What was left to refund (for a refusal). */
  readonly refundable: number | null
  /** The held (or existing) refund's state, to record the gateway's answer on. */
  readonly state: StoredRefundState | null
}

/** A refund's state with the refund as the API shows it (answered as is when nothing moves). */
export type StoredRefundState = RefundState & { readonly view: RefundView }

/** A refund answer as decided in the domain, written by ONE guarded statement. */
export interface RefundAnswerWrite {
  readonly now: Date
  readonly refund: {
    readonly id: RefundId
    readonly from: RefundStatus
    readonly to: RefundStatus
    readonly gatewayRefundId?: string
    readonly failureReason?: string
  }
  /** Guarded by the payment's status and its other accepted refunds' sum (what decided partial or full). */
  readonly payment?: { readonly id: PaymentId; readonly from: PaymentStatus; readonly to: PaymentStatus; readonly acceptedOthers: number }
  readonly order?: { readonly id: string; readonly from: OrderStatus; readonly to: OrderStatus }
  readonly audits: readonly AuditEntry[]
  readonly jobs: readonly JobMessage[]
}

export interface RefundView {
  readonly id: RefundId
  readonly paymentId: PaymentId
  readonly amount: Money
  readonly reason: string
  readonly status: RefundStatus
  readonly gatewayRefundId: string | null
  readonly failureReason: string | null
  /** `system` for the automatic refund of a late payment, else the admin who asked. */
  readonly requestedBy: string
  readonly createdAt: Date
}

/**
 * One settlement as decided in the domain, written by ONE statement whose guards (payment still
 * `payment.from`, order still `order.from`, each reservation still `from`, free stock for a late
 * one) refuse it whole when the snapshot it was decided on went stale.
 */
export interface SettlementWrite {
  readonly now: Date
  readonly payment: {
    readonly id: PaymentId
    readonly from: PaymentStatus
    readonly to: PaymentStatus
    readonly reviewReason?: string
    readonly gatewayTransactionId?: string
    readonly paidAt?: Date
  }
  readonly order?: { readonly id: string; readonly from: OrderStatus; readonly to: OrderStatus }
  readonly stock?: { readonly orderId: string; readonly lines: readonly CommitLine[] }
  /** The automatic full refund of a payment whose order cannot be fulfilled. */
  readonly refund?: {
    readonly id: RefundId
    readonly amount: number
    readonly currency: string
    readonly reason: string
    readonly requestedBy: string
  }
  readonly audits: readonly AuditEntry[]
  /** Written to the outbox in the same statement; published after it commits. */
  readonly jobs: readonly JobMessage[]
}

/** What one statement that reads the order and opens its payment saw and did (initialize). */
export interface OpenPaymentResult {
  readonly order: { readonly id: string; readonly status: OrderStatus; readonly expiresAt: Date; readonly total: Money } | null
  /** The order's live (initialized) payment before this statement, if any. */
  readonly live: Payment | null
  /** The payer's email: the one sent, else the user's. */
  readonly email: string | null
  /** The payment this statement inserted (the order was payable and had no live payment). */
  readonly created: Payment | null
}

/** Postgres-side of payments: every method is one statement (applyGatewayRefunds: one transaction). */
export interface PaymentStore {
  /**
   * Reads the user's order and, if it is awaiting payment, unexpired and without a live payment,
   * inserts `payment` for its total (with its audit row); answers what it saw either way.
   */
  openPayment(
    payment: { id: PaymentId; reference: PaymentReference; orderId: string; userId: string; email?: string },
    audit: AuditContext,
  ): Promise<OpenPaymentResult>
  attachAuthorization(id: PaymentId, authorizationUrl: string, accessCode: string): Promise<void>
  /** The gateway refused to initialize: the payment is failed so a retry starts afresh. */
  markInitFailed(id: PaymentId, reason: string, audit: AuditContext): Promise<void>
  findById(id: PaymentId): Promise<Payment | null>
  findByReference(reference: string): Promise<Payment | null>
  /** The payment of a reference with its order and reservations, without locks. */
  loadCharge(reference: string): Promise<ChargeSnapshot | null>
  /** Seed 004 §1 steps 15-20 in ONE statement; `conflict` (nothing written) when a guard failed. */
  commitSettlement(write: SettlementWrite): Promise<'applied' | 'conflict'>
  /**
   * Initialized payments not looked at since `before`, least recently first: reconciliation
   * touches each one it asked about (`touchPayment`), so a backlog of never-paid ones cannot
   * starve the newer ones.
   */
  stalePayments(before: Date, limit: number): Promise<Payment[]>
  /** Marks an initialized payment as just checked with the gateway (its state did not move). */
  touchPayment(id: PaymentId, now: Date): Promise<void>
  /**
   * Holds the amount as a `requested` refund if the payment is in `rules.refundableFrom`, in the
   * currency asked (if any) and has that much left counting the refunds in `rules.holds`.
   */
  holdRefund(
    input: { id: RefundId; paymentId: PaymentId; amount: number; currency?: string; reason: string },
    rules: { refundableFrom: readonly PaymentStatus[]; holds: readonly RefundStatus[] },
    audit: AuditContext,
  ): Promise<RefundHold>
  loadRefundState(id: RefundId): Promise<StoredRefundState | null>
  /** The refund as written, or `conflict` (nothing written) when a guard failed. */
  recordRefundAnswer(write: RefundAnswerWrite): Promise<RefundView | 'conflict'>
  /** Moves our refunds of a charge to the statuses the gateway reports (through the refund table). */
  applyGatewayRefunds(reference: string, refunds: readonly GatewayRefund[], audit: AuditContext): Promise<number>
  findRefund(id: RefundId): Promise<RefundView | null>
  refundsOfPayment(id: PaymentId): Promise<RefundView[]>
  /** Refunds held as `requested` since before `before` (a crash between hold and gateway call). */
  staleRefundRequests(before: Date, limit: number): Promise<RefundView[]>
  /** Refunds Paystack accepted and has not finished (`pending`), not looked at since `before`, least recently first. */
  pendingRefunds(before: Date, limit: number): Promise<RefundView[]>
  /** Marks a pending refund as just checked with the gateway (its state did not move). */
  touchRefund(id: RefundId, now: Date): Promise<void>
}

export type ClaimOutcome = 'new' | 'duplicate' | 'retry'

/** webhook_events: at most one processor per event key at a time, and none after success. */
export interface WebhookInbox {
  /** One statement: the claim, and (for a claim won) the snapshot of the charge `reference` names. */
  claim(
    provider: string,
    key: string,
    event: PaystackEvent,
    now: Date,
    leaseMs: number,
    chargeReference?: string,
  ): Promise<{ outcome: ClaimOutcome; charge: ChargeSnapshot | null }>
  /** One statement: the event processed, and the outbox rows its processing published marked so. */
  processed(provider: string, key: string, now: Date, publishedJobs?: readonly string[]): Promise<void>
  failed(provider: string, key: string, error: string): Promise<void>
}

/** Publishes what transactions wrote to the outbox (after they commit), marking it published. */
export interface OutboxRelay {
  /** Reads unpublished rows (those ids, else any), publishes them and marks them published. */
  publish(deduplicationIds?: readonly string[]): Promise<number>
  /**
   * Publishes jobs a statement just wrote to the outbox, without reading them back: the ids
   * accepted by the queue ([] when it failed: left to reconciliation). They still need marking.
   */
  send(jobs: readonly JobMessage[]): Promise<readonly string[]>
  markPublished(deduplicationIds: readonly string[]): Promise<void>
}

/** Seed step 7's payment intent in Redis (20 minutes): an optimisation, never the record. */
export interface PaymentIntentCache {
  get(orderId: string): Promise<{ reference: string; authorizationUrl: string } | null>
  put(orderId: string, intent: { reference: string; authorizationUrl: string }, ttlSeconds: number): Promise<void>
  clear(orderId: string): Promise<void>
}

export interface EmailMessage {
  readonly deduplicationKey: string
  readonly to: string
  readonly subject: string
  readonly body: string
}

/** Sends (or, by default, records in the outbox table the dev mailbox shows) one email per key. */
export interface EmailSender {
  send(message: EmailMessage): Promise<'sent' | 'duplicate'>
  /** The latest messages, newest first (the dev mailbox). */
  recent(limit: number): Promise<Array<EmailMessage & { createdAt: Date }>>
}
