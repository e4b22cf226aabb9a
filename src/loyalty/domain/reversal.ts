import type { Brand } from '../../shared/brand.ts'
import type { MerchantCashbackId } from './cashback.ts'
import { PAYPAY_REQUEST_STATUSES, payPayRequestLifecycle, type PayPayRequestEvent, type PayPayRequestStatus } from './paypay-request.ts'

/**
 * Taking (part of) a granted cashback back from the user's PayPay balance and returning it as
 * points (seed 000 "Revert cashback from PayPay"). Reverse Cashback answers REQUEST_ACCEPTED; the
 * reversal settles later, and only SUCCESS credits points: exactly the amount PayPay reports as
 * taken back, which can be less than asked when the user already spent it (PayPay's FAQ;
 * docs/protocols/paypay-opa.md, "Reverse Cashback").
 */
export type MerchantCashbackReversalId = Brand<string, 'MerchantCashbackReversalId'>

/** A Reverse Cashback is a PayPay request like a Give: the same lifecycle (paypay-request.ts). */
export const REVERSAL_STATUSES = PAYPAY_REQUEST_STATUSES
export type ReversalStatus = PayPayRequestStatus
export type ReversalEvent = PayPayRequestEvent
export const reversalLifecycle = payPayRequestLifecycle('cashback_reversal')

export interface Reversal {
  readonly merchantCashbackReversalId: MerchantCashbackReversalId
  readonly merchantCashbackId: MerchantCashbackId
  readonly userId: string
  /** JPY asked for. */
  readonly amount: number
  /** JPY PayPay actually took back (set on success). */
  readonly reversedAmount: number | null
  readonly status: ReversalStatus
  readonly reason: string | null
  readonly attempts: number
  readonly lastError: string | null
  readonly failureCode: string | null
  readonly paypayReversalId: string | null
  readonly requestedBy: string
  readonly requestedAt: Date
  readonly acceptedAt: Date | null
  readonly completedAt: Date | null
  readonly updatedAt: Date
}
