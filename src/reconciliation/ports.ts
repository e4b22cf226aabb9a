import type { PaymentGateway as ZaloPayGateway } from '../bookings/ports.ts'
import type { PayPayGateway } from '../loyalty/ports.ts'
import type { PaymentGateway as PaystackGateway } from '../payments/ports.ts'
import type { AuditEntry } from '../shared/audit.ts'
import type { Acknowledgement } from './domain/acknowledgement.ts'
import type {
  OurCashback,
  OurPaystackPayment,
  OurPaystackRefund,
  OurZaloPayRefund,
  OurZaloPaySession,
  ReconciliationReport,
} from './domain/mismatch.ts'

/** The gateways' read methods, as their own contexts' adapters already implement them. */
export type PaystackReader = Pick<PaystackGateway, 'verify' | 'listRefunds'>
export type ZaloPayReader = Pick<ZaloPayGateway, 'queryOrder' | 'queryRefund'>
export type PayPayReader = Pick<PayPayGateway, 'checkCashback' | 'checkReversal'>

export interface Page {
  readonly since: Date
  readonly limit: number
}

/** Read-only views of our records, each bounded by a window and a page size. */
export interface ReconciliationRecords {
  /** Paystack payments created or updated since, newest first, with their refunds. */
  paystackPayments(page: Page): Promise<Array<OurPaystackPayment & { readonly refunds: readonly OurPaystackRefund[] }>>
  /** Orders (created since) in a paid status without a payment in a paid status. */
  ordersPaidWithoutPayment(
    page: Page,
  ): Promise<Array<{ orderId: string; orderStatus: string; payments: Array<{ paymentId: string; status: string }> }>>
  /** Payments (updated since) in a paid status whose order is not paid and that have no refund. */
  paymentsPaidOrderNotPaid(
    page: Page,
  ): Promise<Array<{ paymentId: string; orderId: string; paymentStatus: string; orderStatus: string | null }>>
  /** Variants whose reserved column differs from their active reservations, or with invalid stock. */
  stockMismatches(
    limit: number,
  ): Promise<Array<{ variantId: string; sku: string; stock: number; reserved: number; activeReservations: number }>>
  /** ZaloPay sessions created or updated since. */
  zaloPaySessions(page: Page): Promise<OurZaloPaySession[]>
  /** ZaloPay refunds sent to the gateway (they have an m_refund_id), updated since. */
  zaloPayRefunds(page: Page): Promise<Array<OurZaloPayRefund & { readonly requestedAt: Date }>>
  /** Cashbacks updated since. */
  cashbacks(page: Page): Promise<OurCashback[]>
  /** Cashback reversals updated since (`amount`: what we hold as reversed once succeeded). */
  reversals(page: Page): Promise<Array<OurCashback & { readonly merchantCashbackReversalId: string }>>
  /** Users with ledger or balance activity since whose balance is not the sum of their ledger. */
  pointsMismatches(page: Page): Promise<{ checked: number; mismatches: Array<{ userId: string; balance: number; ledgerSum: number }> }>
}

/** Operators' acknowledgements of mismatches, by fingerprint. */
export interface AcknowledgementStore {
  /** Those of these fingerprints that were acknowledged. */
  find(fingerprints: readonly string[]): Promise<Acknowledgement[]>
  /** Records one; an existing acknowledgement of the fingerprint is kept as it was (`created: false`). */
  add(ack: Acknowledgement, audit: AuditEntry): Promise<{ readonly created: boolean; readonly acknowledgement: Acknowledgement }>
}

/** Where the last report is kept. */
export interface ReportStore {
  save(report: ReconciliationReport): Promise<void>
  latest(): Promise<ReconciliationReport | null>
}
