import type { Money } from '../shared/money.ts'
import type { JobMessage } from '../shared/jobs.ts'
import type { Payment, PaymentId, PaymentReference, VerifiedCharge } from './domain/payment.ts'
import type { RefundId, RefundStatus } from './domain/refund.ts'
import type { PaystackEvent } from './domain/webhook-event.ts'

/** A refusal by the gateway (its 4xx): permanent. Transient failures throw (503, retried). */
export type GatewayAnswer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string; readonly notFound?: boolean }

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

export type RefundRequestOutcome =
  /** `existing`: a refund with this id was already held (the same request again): nothing new is held. */
  | { readonly ok: true; readonly refundId: RefundId; readonly payment: Payment; readonly existing?: boolean }
  | { readonly ok: false; readonly reason: 'not_found' }
  | { readonly ok: false; readonly reason: 'not_refundable'; readonly status: string }
  | { readonly ok: false; readonly reason: 'too_large'; readonly refundable: number }

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

/** Postgres-side of payments: every method is one transaction. */
export interface PaymentStore {
  /** Inserts the payment unless the order already has a live one, which is returned instead. */
  createInitialized(payment: Payment, audit: AuditContext): Promise<{ created: true } | { created: false; existing: Payment }>
  attachAuthorization(id: PaymentId, authorizationUrl: string, accessCode: string): Promise<void>
  /** The gateway refused to initialize: the payment is failed so a retry starts afresh. */
  markInitFailed(id: PaymentId, reason: string, audit: AuditContext): Promise<void>
  findById(id: PaymentId): Promise<Payment | null>
  findByReference(reference: string): Promise<Payment | null>
  /**
   * Seed 004 §1 steps 15-20 in ONE transaction: payment paid (or flagged when the amounts differ),
   * order paid, inventory committed with the optimistic lock, audit rows, follow-up jobs written to
   * the outbox. A late payment whose stock is gone is kept paid and a full refund is recorded.
   */
  settleCharge(reference: string, charge: VerifiedCharge, audit: AuditContext): Promise<SettleOutcome>
  /**
   * Initialized payments not looked at since `before`, least recently first: reconciliation
   * touches each one it asked about (`touchPayment`), so a backlog of never-paid ones cannot
   * starve the newer ones.
   */
  stalePayments(before: Date, limit: number): Promise<Payment[]>
  /** Marks an initialized payment as just checked with the gateway (its state did not move). */
  touchPayment(id: PaymentId, now: Date): Promise<void>
  /** Holds the amount as a `requested` refund if the payment is paid and has that much left. */
  requestRefund(input: { id: RefundId; paymentId: PaymentId; amount: number; reason: string }, audit: AuditContext): Promise<RefundRequestOutcome>
  /** After the gateway answered: accepted (pending, order/payment refund status, email job) or failed. */
  recordRefundAnswer(
    refundId: RefundId,
    answer: { accepted: true; gatewayRefundId: string; status: string } | { accepted: false; message: string },
    audit: AuditContext,
  ): Promise<{ jobs: readonly JobMessage[] }>
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
  claim(provider: string, key: string, event: PaystackEvent, now: Date, leaseMs: number): Promise<ClaimOutcome>
  processed(provider: string, key: string, now: Date): Promise<void>
  failed(provider: string, key: string, error: string): Promise<void>
}

/** Publishes what transactions wrote to the outbox (after they commit), marking it published. */
export interface OutboxRelay {
  publish(deduplicationIds?: readonly string[]): Promise<number>
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
