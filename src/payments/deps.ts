import type { ReservationCache } from '../inventory/ports.ts'
import type { OrderRepository } from '../orders/ports.ts'
import type { Clock } from '../shared/clock.ts'
import type { Logger } from '../shared/logger.ts'
import type { ObjectStore } from '../shared/object-store.ts'
import type { EmailSender, OutboxRelay, PaymentGateway, PaymentIntentCache, PaymentStore, WebhookInbox } from './ports.ts'

export interface PaymentDeps {
  readonly store: PaymentStore
  readonly gateway: PaymentGateway
  readonly inbox: WebhookInbox
  readonly outbox: OutboxRelay
  readonly intents: PaymentIntentCache
  readonly reservationCache: ReservationCache
  readonly orders: Pick<OrderRepository, 'find' | 'findForUser'>
  readonly emails: EmailSender
  readonly files: ObjectStore
  readonly clock: Clock
  readonly logger: Logger
  /** Where Paystack sends the browser after checkout. */
  readonly callbackUrl: string
  /** Seed 004 step 7: the payment intent lives 20 minutes. */
  readonly intentTtlSeconds: number
}

/** Job names this context publishes (through the outbox) and handles. */
export const PAYMENT_JOBS = {
  invoice: 'payments.invoice',
  email: 'payments.email',
  autoRefund: 'payments.auto-refund',
  reconcile: 'payments.reconcile',
} as const
