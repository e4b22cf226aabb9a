import type { AcknowledgedMismatch } from './acknowledgement.ts'

/**
 * The reconciliation report (issue 7): every place where our records disagree with a gateway or
 * with each other. Each mismatch is one kind of a discriminated union carrying the ids and the two
 * sides needed to act on it; `comparePaystackPayment` and friends are the pure comparison rules.
 */

export type Mismatch =
  // ---- Paystack (commerce) ----
  | {
      readonly kind: 'paystack_payment_status'
      readonly paymentId: string
      readonly orderId: string
      readonly reference: string
      readonly ours: string
      /** Paystack's verify status, or `not_found`. */
      readonly gateway: string
      readonly oursAmount: number
      readonly gatewayAmount: number | null
    }
  | {
      readonly kind: 'paystack_payment_amount'
      readonly paymentId: string
      readonly orderId: string
      readonly reference: string
      readonly ours: string
      readonly oursAmount: number
      readonly oursCurrency: string
      readonly gatewayAmount: number
      readonly gatewayCurrency: string
    }
  | {
      readonly kind: 'paystack_refund_status'
      readonly refundId: string
      readonly paymentId: string
      readonly reference: string
      readonly gatewayRefundId: string
      readonly ours: string
      readonly gateway: string
    }
  | {
      readonly kind: 'paystack_refund_amount'
      readonly refundId: string
      readonly paymentId: string
      readonly reference: string
      readonly gatewayRefundId: string
      readonly oursAmount: number
      readonly gatewayAmount: number
    }
  | {
      readonly kind: 'paystack_refund_missing_at_gateway'
      readonly refundId: string
      readonly paymentId: string
      readonly reference: string
      readonly gatewayRefundId: string
      readonly ours: string
    }
  | {
      readonly kind: 'paystack_refund_unknown_to_us'
      readonly paymentId: string
      readonly reference: string
      readonly gatewayRefundId: string
      readonly gateway: string
      readonly gatewayAmount: number
    }
  // ---- orders vs payments ----
  | {
      readonly kind: 'order_paid_without_payment'
      readonly orderId: string
      readonly orderStatus: string
      readonly payments: ReadonlyArray<{ readonly paymentId: string; readonly status: string }>
    }
  | {
      readonly kind: 'payment_paid_order_not_paid'
      readonly paymentId: string
      readonly orderId: string
      readonly paymentStatus: string
      readonly orderStatus: string | null
    }
  // ---- inventory ----
  | {
      readonly kind: 'variant_reserved_mismatch'
      readonly variantId: string
      readonly sku: string
      readonly reserved: number
      readonly activeReservations: number
    }
  | {
      readonly kind: 'variant_stock_invalid'
      readonly variantId: string
      readonly sku: string
      readonly stock: number
      readonly reserved: number
    }
  // ---- ZaloPay (bookings) ----
  | {
      readonly kind: 'zalopay_session_status'
      readonly sessionId: string
      readonly appTransId: string
      readonly ours: string
      /** The query API's status. */
      readonly gateway: string
      readonly oursAmount: number
      readonly gatewayAmount: number | null
      readonly gatewayTransactionId: string | null
    }
  | {
      readonly kind: 'zalopay_session_amount'
      readonly sessionId: string
      readonly appTransId: string
      readonly ours: string
      readonly oursAmount: number
      readonly gatewayAmount: number
    }
  | {
      readonly kind: 'zalopay_refund_status'
      readonly refundId: string
      readonly sessionId: string
      readonly mRefundId: string
      readonly ours: string
      readonly gateway: string
      readonly amount: number
    }
  // ---- PayPay (loyalty) ----
  | {
      readonly kind: 'paypay_cashback_status'
      readonly merchantCashbackId: string
      readonly userId: string
      readonly ours: string
      /** Check Cashback Details' status, or `not_found`. */
      readonly gateway: string
      readonly amount: number
      readonly failureCode: string | null
    }
  | {
      readonly kind: 'paypay_cashback_amount'
      readonly merchantCashbackId: string
      readonly userId: string
      readonly ours: string
      readonly oursAmount: number
      readonly gatewayAmount: number
    }
  | {
      readonly kind: 'paypay_reversal_status'
      readonly merchantCashbackReversalId: string
      readonly merchantCashbackId: string
      readonly userId: string
      readonly ours: string
      readonly gateway: string
      readonly amount: number
      readonly failureCode: string | null
    }
  | {
      readonly kind: 'paypay_reversal_amount'
      readonly merchantCashbackReversalId: string
      readonly merchantCashbackId: string
      readonly userId: string
      readonly ours: string
      readonly oursAmount: number
      readonly gatewayAmount: number
    }
  // ---- points ----
  | { readonly kind: 'points_balance_mismatch'; readonly userId: string; readonly balance: number; readonly ledgerSum: number }

export type MismatchKind = Mismatch['kind']

/** What an operator should do about each kind (shown next to every mismatch). */
export const ACTIONS: Readonly<Record<MismatchKind, string>> = {
  paystack_payment_status:
    'Run POST /api/v1/payments/{reference}/verify (or the payments.reconcile job); if it persists, compare with the Paystack dashboard.',
  paystack_payment_amount: 'Paystack charged a different amount or currency: review the payment and refund or collect the difference.',
  paystack_refund_status:
    'Re-read the refund (payments.reconcile applies the refund list); a final gateway status we do not hold means a lost refund webhook.',
  paystack_refund_amount: 'The refunded amount differs from ours: correct the refund record and the order/payment refund status.',
  paystack_refund_missing_at_gateway:
    'We hold a refund Paystack does not list: check the dashboard; if it never happened, fail ours and refund again.',
  paystack_refund_unknown_to_us:
    'Paystack lists a refund we never recorded (made on the dashboard?): record it so the order and payment show it.',
  order_paid_without_payment: 'An order is paid without a paid payment: find the money (gateway) or move the order back.',
  payment_paid_order_not_paid:
    'Money was taken but the order is not paid and nothing was refunded: fulfil the order or refund the payment.',
  variant_reserved_mismatch:
    'The reserved counter differs from the active reservations: recompute product_variants.reserved for this variant.',
  variant_stock_invalid: 'Stock is negative or below what is reserved: recount the variant.',
  zalopay_session_status:
    'Run GET /api/v1/payment/zalopay/status/{appTransId} (or bookings.reconcile-payments); paid money we cannot apply must be refunded.',
  zalopay_session_amount: 'ZaloPay reports a different amount than the session: refund and investigate.',
  zalopay_refund_status: 'Drive the refund (bookings.resume-fulfilment) or compare with the ZaloPay merchant portal.',
  paypay_cashback_status:
    'Run the loyalty.check-cashbacks job; a cashback PayPay paid that we failed (points returned) needs a reversal or a debit.',
  paypay_cashback_amount: 'PayPay gave a different amount than the points debited: adjust the points or reverse the difference.',
  paypay_reversal_status: 'Run the loyalty.check-reversals job; compare with PayPay.',
  paypay_reversal_amount: 'PayPay reversed a different amount than ours: adjust the points credited back.',
  points_balance_mismatch: 'The stored balance differs from the ledger sum: post an adjustment entry after finding the cause.',
}

/** A check that could not be made (gateway unreachable, not configured): never silently skipped. */
export interface UncheckedItem {
  readonly source: 'paystack' | 'zalopay' | 'paypay'
  readonly subject: string
  readonly reason: string
}

export interface ReconciliationReport {
  readonly id: string
  readonly generatedAt: string
  /** Records created (or touched) at or after this instant were compared. */
  readonly since: string
  readonly checked: Readonly<Record<string, number>>
  /** Open mismatches, each with the fingerprint an operator acknowledges it by. */
  readonly mismatches: ReadonlyArray<Mismatch & { readonly fingerprint: string }>
  /** Mismatches an operator accepted as they are (listed, not counted as open). */
  readonly acknowledged: readonly AcknowledgedMismatch[]
  readonly unchecked: readonly UncheckedItem[]
  /** Sections that hit their page size: more records in the window than were compared. */
  readonly truncated: readonly string[]
  readonly durationMs: number
}

// ---- comparison rules (pure) -------------------------------------------------------------------

const PAID_LIKE = new Set(['paid', 'partially_refunded', 'refunded'])

export interface OurPaystackPayment {
  readonly id: string
  readonly orderId: string
  readonly reference: string
  readonly status: string
  readonly amount: number
  readonly currency: string
}

export type PaystackCharge =
  | { readonly found: true; readonly status: string; readonly amount: number; readonly currency: string }
  | { readonly found: false }

/** Our payment against Paystack's verify answer. */
export function comparePaystackPayment(p: OurPaystackPayment, g: PaystackCharge): Mismatch[] {
  const status = (gateway: string, gatewayAmount: number | null): Mismatch => ({
    kind: 'paystack_payment_status',
    paymentId: p.id,
    orderId: p.orderId,
    reference: p.reference,
    ours: p.status,
    gateway,
    oursAmount: p.amount,
    gatewayAmount,
  })
  if (!g.found) return PAID_LIKE.has(p.status) || p.status === 'needs_review' ? [status('not_found', null)] : []
  const out: Mismatch[] = []
  const settledThere = g.status === 'success' || g.status === 'reversed'
  if (p.status === 'initialized') {
    if (settledThere || g.status === 'failed') out.push(status(g.status, g.amount))
  } else if (PAID_LIKE.has(p.status)) {
    if (!settledThere || (g.status === 'reversed' && p.status === 'paid')) out.push(status(g.status, g.amount))
  } else if (p.status === 'failed' || p.status === 'abandoned') {
    if (settledThere) out.push(status(g.status, g.amount))
  } else if (p.status === 'needs_review' && !settledThere) {
    out.push(status(g.status, g.amount))
  }
  if (settledThere && p.status !== 'initialized' && (g.amount !== p.amount || g.currency.toUpperCase() !== p.currency.toUpperCase())) {
    out.push({
      kind: 'paystack_payment_amount',
      paymentId: p.id,
      orderId: p.orderId,
      reference: p.reference,
      ours: p.status,
      oursAmount: p.amount,
      oursCurrency: p.currency,
      gatewayAmount: g.amount,
      gatewayCurrency: g.currency,
    })
  }
  return out
}

export interface OurPaystackRefund {
  readonly id: string
  readonly paymentId: string
  readonly status: string
  readonly amount: number
  readonly gatewayRefundId: string | null
}

/** Paystack's refund statuses in our spelling. */
const PAYSTACK_REFUND_STATUS: Record<string, string> = { 'needs-attention': 'needs_attention' }

/** Our refunds of one payment against Paystack's refund list for its reference. */
export function comparePaystackRefunds(
  payment: { readonly id: string; readonly reference: string },
  ours: readonly OurPaystackRefund[],
  gateway: ReadonlyArray<{ readonly gatewayRefundId: string; readonly amount: number; readonly status: string }>,
): Mismatch[] {
  const out: Mismatch[] = []
  const byId = new Map(gateway.map((g) => [g.gatewayRefundId, g]))
  const known = new Set<string>()
  for (const r of ours) {
    // Held but never answered by the gateway (or refused by it): nothing there to compare with.
    if (r.gatewayRefundId === null) continue
    known.add(r.gatewayRefundId)
    const g = byId.get(r.gatewayRefundId)
    const base = { refundId: r.id, paymentId: payment.id, reference: payment.reference, gatewayRefundId: r.gatewayRefundId }
    if (!g) {
      out.push({ kind: 'paystack_refund_missing_at_gateway', ...base, ours: r.status })
      continue
    }
    const theirs = PAYSTACK_REFUND_STATUS[g.status] ?? g.status
    if (theirs !== r.status) out.push({ kind: 'paystack_refund_status', ...base, ours: r.status, gateway: theirs })
    if (g.amount !== r.amount) out.push({ kind: 'paystack_refund_amount', ...base, oursAmount: r.amount, gatewayAmount: g.amount })
  }
  for (const g of gateway) {
    if (!known.has(g.gatewayRefundId)) {
      out.push({
        kind: 'paystack_refund_unknown_to_us',
        paymentId: payment.id,
        reference: payment.reference,
        gatewayRefundId: g.gatewayRefundId,
        gateway: PAYSTACK_REFUND_STATUS[g.status] ?? g.status,
        gatewayAmount: g.amount,
      })
    }
  }
  return out
}

export interface OurZaloPaySession {
  readonly id: string
  readonly appTransId: string
  readonly status: string
  readonly amount: number
  /** A refund of this session exists (money that could not be applied goes back). */
  readonly refunded: boolean
}

export type ZaloPayOrderSeen =
  | { readonly status: 'paid'; readonly amount: number; readonly transactionId: string }
  | { readonly status: string }

const ZALOPAY_OPEN = new Set(['CREATED', 'PENDING'])

/** Our payment session against ZaloPay's query API. */
export function compareZaloPaySession(s: OurZaloPaySession, g: ZaloPayOrderSeen): Mismatch[] {
  const paid = g.status === 'paid' && 'amount' in g ? g : null
  const status: Mismatch = {
    kind: 'zalopay_session_status',
    sessionId: s.id,
    appTransId: s.appTransId,
    ours: s.status,
    gateway: g.status,
    oursAmount: s.amount,
    gatewayAmount: paid?.amount ?? null,
    gatewayTransactionId: paid?.transactionId ?? null,
  }
  if (s.status === 'PAID') {
    if (!paid) return [status]
    return paid.amount !== s.amount
      ? [
          {
            kind: 'zalopay_session_amount',
            sessionId: s.id,
            appTransId: s.appTransId,
            ours: s.status,
            oursAmount: s.amount,
            gatewayAmount: paid.amount,
          },
        ]
      : []
  }
  if (paid) return s.refunded ? [] : [status]
  // Ours still open but ZaloPay has closed the order for good (expired, cancelled, failed).
  if (ZALOPAY_OPEN.has(s.status) && ['failed', 'cancelled', 'expired'].includes(g.status)) return [status]
  return []
}

export interface OurZaloPayRefund {
  readonly id: string
  readonly sessionId: string
  readonly mRefundId: string
  readonly status: string
  readonly amount: number
}

/** Our ZaloPay refund against its query_refund answer ('processing' | 'succeeded' | 'failed'). */
export function compareZaloPayRefund(r: OurZaloPayRefund, gateway: string): Mismatch[] {
  const theirs = gateway.toUpperCase()
  const agrees = theirs === r.status || (r.status === 'PENDING' && theirs === 'PROCESSING')
  return agrees
    ? []
    : [
        {
          kind: 'zalopay_refund_status',
          refundId: r.id,
          sessionId: r.sessionId,
          mRefundId: r.mRefundId,
          ours: r.status,
          gateway: theirs,
          amount: r.amount,
        },
      ]
}

export interface OurCashback {
  readonly merchantCashbackId: string
  readonly userId: string
  readonly status: string
  readonly amount: number
}

export type PayPayTx =
  | { readonly found: true; readonly status: string; readonly amount: number; readonly failureCode: string | null }
  | { readonly found: false }

/** Our status in PayPay's words: what Check Cashback Details / Reversal Details should say. */
const PAYPAY_EXPECTED: Record<string, string> = { accepted: 'ACCEPTED', succeeded: 'SUCCESS', failed: 'FAILURE' }

/** A cashback (or, with `reversal`, a reversal) against PayPay's check details. */
export function comparePayPay(ours: OurCashback & { readonly merchantCashbackReversalId?: string }, g: PayPayTx): Mismatch[] {
  const expected = PAYPAY_EXPECTED[ours.status]
  // `requested`: never accepted by PayPay (or in flight); a refusal leaves nothing there either.
  if (expected === undefined) return []
  const gatewayStatus = g.found ? g.status : 'not_found'
  // A failed give that PayPay refused outright is never found there: that agrees with ours.
  if (!g.found && ours.status === 'failed') return []
  const out: Mismatch[] = []
  const failureCode = g.found ? g.failureCode : null
  if (gatewayStatus !== expected) {
    out.push(
      ours.merchantCashbackReversalId !== undefined
        ? {
            kind: 'paypay_reversal_status',
            merchantCashbackReversalId: ours.merchantCashbackReversalId,
            merchantCashbackId: ours.merchantCashbackId,
            userId: ours.userId,
            ours: ours.status,
            gateway: gatewayStatus,
            amount: ours.amount,
            failureCode,
          }
        : {
            kind: 'paypay_cashback_status',
            merchantCashbackId: ours.merchantCashbackId,
            userId: ours.userId,
            ours: ours.status,
            gateway: gatewayStatus,
            amount: ours.amount,
            failureCode,
          },
    )
  } else if (g.found && g.status === 'SUCCESS' && g.amount !== ours.amount) {
    out.push(
      ours.merchantCashbackReversalId !== undefined
        ? {
            kind: 'paypay_reversal_amount',
            merchantCashbackReversalId: ours.merchantCashbackReversalId,
            merchantCashbackId: ours.merchantCashbackId,
            userId: ours.userId,
            ours: ours.status,
            oursAmount: ours.amount,
            gatewayAmount: g.amount,
          }
        : {
            kind: 'paypay_cashback_amount',
            merchantCashbackId: ours.merchantCashbackId,
            userId: ours.userId,
            ours: ours.status,
            oursAmount: ours.amount,
            gatewayAmount: g.amount,
          },
    )
  }
  return out
}
