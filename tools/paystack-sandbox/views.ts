/**
 * The JSON objects Paystack answers with and puts in webhooks (docs/protocols/paystack.md): the
 * transaction (verify data, also the data of charge.success), and the refund as create, fetch and
 * the refund.* events show it.
 */
import type { SandboxContext } from './context.ts'
import { transactionFees } from './fees.ts'
import type { Refund, Transaction } from './store.ts'

const iso = (ms: number) => new Date(ms).toISOString()
const seconds = (ms: number) => Math.floor(ms / 1000)

/** The merchant account refunds are attributed to (refunded_by). */
export const MERCHANT_EMAIL = 'merchant@sandbox.paystack.test'

/**
 * `reversed` once processed refunds cover the whole paid amount ("processed → transaction
 * Reversed", docs/protocols/paystack.md); a partly refunded transaction stays `success`.
 */
export function transactionStatus(ctx: SandboxContext, tx: Transaction): 'abandoned' | 'success' | 'failed' | 'reversed' {
  if (tx.status === 'success' && ctx.store.processedRefunds(tx.id) >= tx.paidAmount!) return 'reversed'
  return tx.status
}

const GATEWAY_RESPONSE = {
  abandoned: 'The transaction was not completed',
  success: 'Successful',
  failed: 'Declined',
} as const

export function transactionData(ctx: SandboxContext, tx: Transaction) {
  const amount = tx.paidAmount ?? tx.amount
  const currency = tx.paidCurrency ?? tx.currency
  const createdAt = iso(tx.createdAt)
  const paidAt = tx.paidAt === undefined ? null : iso(tx.paidAt)
  return {
    id: tx.id,
    domain: ctx.domain,
    status: transactionStatus(ctx, tx),
    reference: tx.reference,
    receipt_number: null,
    amount,
    message: null,
    gateway_response: GATEWAY_RESPONSE[tx.status],
    paid_at: paidAt,
    created_at: createdAt,
    channel: 'card',
    currency,
    ip_address: tx.ipAddress,
    metadata: tx.metadata,
    log: attemptLog(tx),
    fees: tx.status === 'success' ? transactionFees(amount, currency) : null,
    fees_split: null,
    authorization: tx.authorization ?? {},
    customer: {
      id: tx.customer.id,
      first_name: null,
      last_name: null,
      email: tx.customer.email,
      customer_code: tx.customer.customerCode,
      phone: null,
      metadata: null,
      risk_action: 'default',
      international_format_phone: null,
    },
    plan: null,
    split: {},
    order_id: null,
    paidAt,
    createdAt,
    requested_amount: tx.amount,
    pos_transaction_data: null,
    source: null,
    fees_breakdown: null,
    connect: null,
    transaction_date: createdAt,
    plan_object: {},
    subaccount: {},
  }
}

/** The checkout's attempt log; null while nobody has tried to pay. */
function attemptLog(tx: Transaction) {
  if (tx.settledAt === undefined) return null
  const spent = seconds(tx.settledAt - tx.createdAt)
  const success = tx.status === 'success'
  return {
    start_time: seconds(tx.createdAt),
    time_spent: spent,
    attempts: 1,
    errors: success ? 0 : 1,
    success,
    mobile: false,
    input: [],
    history: [
      { type: 'action', message: 'Attempted to pay with card', time: spent },
      success
        ? { type: 'success', message: 'Successfully paid with card', time: spent }
        : { type: 'error', message: 'Error: Declined', time: spent },
    ],
  }
}

/** The refund as POST /refund answers it: the transaction embedded, status pending. */
export function refundCreateData(ctx: SandboxContext, r: Refund, tx: Transaction) {
  const paidAt = tx.paidAt === undefined ? null : iso(tx.paidAt)
  return {
    transaction: {
      id: tx.id,
      domain: ctx.domain,
      reference: tx.reference,
      receipt_number: null,
      amount: tx.paidAmount ?? tx.amount,
      paid_at: paidAt,
      channel: 'card',
      currency: tx.paidCurrency ?? tx.currency,
      authorization: {
        exp_month: tx.authorization?.exp_month ?? null,
        exp_year: tx.authorization?.exp_year ?? null,
        account_name: tx.authorization?.account_name ?? null,
      },
      customer: { international_format_phone: null },
      plan: {},
      subaccount: { currency: null },
      split: {},
      order_id: null,
      paidAt,
      pos_transaction_data: null,
      source: null,
      fees_breakdown: null,
    },
    integration: ctx.integration,
    ...refundCommon(ctx, r),
  }
}

/** The refund as GET /refund/:id and GET /refund show it: the transaction as its id. */
export function refundData(ctx: SandboxContext, r: Refund) {
  return {
    integration: ctx.integration,
    transaction: r.transactionId,
    transaction_reference: r.transactionReference,
    dispute: null,
    settlement: null,
    ...refundCommon(ctx, r),
    refunded_at: r.refundedAt === undefined ? null : iso(r.refundedAt),
    bank_reference: r.refundReference ?? null,
  }
}

function refundCommon(ctx: SandboxContext, r: Refund) {
  // The balance is debited once the processor has the refund (create answers 0 / false).
  const deducted = r.status === 'processing' || r.status === 'processed'
  return {
    deducted_amount: deducted ? r.amount : 0,
    channel: null,
    merchant_note: r.merchantNote,
    customer_note: r.customerNote,
    status: r.status,
    refunded_by: r.refundedBy,
    expected_at: iso(r.expectedAt),
    currency: r.currency,
    domain: ctx.domain,
    amount: r.amount,
    fully_deducted: deducted,
    id: r.id,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  }
}

/**
 * The data of refund.pending / processing / processed / failed, as in Paystack's samples: no refund
 * id, the amount a string except in refund.failed (a number), refund_reference null until known.
 */
export function refundEventData(ctx: SandboxContext, r: Refund, tx: Transaction) {
  return {
    status: r.status,
    transaction_reference: r.transactionReference,
    refund_reference: r.refundReference ?? null,
    amount: r.status === 'failed' ? r.amount : String(r.amount),
    currency: r.currency,
    processor: 'sandbox',
    customer: { first_name: null, last_name: null, email: tx.customer.email },
    integration: ctx.integration,
    domain: ctx.domain,
  }
}
