import type { Brand } from '../../shared/brand.ts'
import { PAYPAY_REQUEST_STATUSES, payPayRequestLifecycle, type PayPayRequestEvent, type PayPayRequestStatus } from './paypay-request.ts'

/**
 * A points → PayPay cashback (seed 000 "Exchange points"). The points are debited when the record
 * is created (`requested`); PayPay's Give Cashback answers REQUEST_ACCEPTED (`accepted`) and the
 * grant settles later as SUCCESS or FAILURE (docs/protocols/paypay-opa.md). A failed cashback has
 * had its points credited back in the same statement that failed it.
 */
export type MerchantCashbackId = Brand<string, 'MerchantCashbackId'>

/** A Give Cashback is a PayPay request: its lifecycle is the one in paypay-request.ts. */
export const CASHBACK_STATUSES = PAYPAY_REQUEST_STATUSES
export type CashbackStatus = PayPayRequestStatus
export type CashbackEvent = PayPayRequestEvent
export const cashbackLifecycle = payPayRequestLifecycle('cashback')

/** 1 point = 1 JPY: the seeds define no other rate. */
export const POINT_VALUE_JPY = 1
export const MIN_EXCHANGE_POINTS = 1
export const MAX_EXCHANGE_POINTS = 1_000_000

export interface Cashback {
  readonly merchantCashbackId: MerchantCashbackId
  readonly userId: string
  /** The link used for this grant, fixed when the exchange was made. */
  readonly userAuthorizationId: string
  readonly points: number
  /** JPY granted (points × POINT_VALUE_JPY). */
  readonly amount: number
  readonly currency: 'JPY'
  readonly status: CashbackStatus
  /** How many Give calls were started (a retry > 1 may follow a call PayPay did receive). */
  readonly giveAttempts: number
  readonly lastError: string | null
  /** PayPay's failure reason when it reported FAILURE or refused the grant. */
  readonly failureCode: string | null
  readonly paypayCashbackId: string | null
  /** JPY promised to reversals not yet failed (requested, accepted or succeeded). */
  readonly reversalReserved: number
  /** JPY actually taken back by succeeded reversals. */
  readonly reversedAmount: number
  readonly requestedAt: Date
  readonly acceptedAt: Date | null
  readonly completedAt: Date | null
  readonly updatedAt: Date
}

export const reversibleAmount = (c: Pick<Cashback, 'status' | 'amount' | 'reversalReserved'>): number =>
  c.status === 'succeeded' ? c.amount - c.reversalReserved : 0
