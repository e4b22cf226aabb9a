import type { Brand } from '../../shared/brand.ts'
import { defineStateMachine } from '../../shared/state-machine.ts'

/**
 * A points → PayPay cashback (seed 000 "Exchange points"). The points are debited when the record
 * is created (`requested`); PayPay's Give Cashback answers REQUEST_ACCEPTED (`accepted`) and the
 * grant settles later as SUCCESS or FAILURE (gateways.md §1.4). A failed cashback has had its
 * points credited back in the same statement that failed it.
 */
export type MerchantCashbackId = Brand<string, 'MerchantCashbackId'>

export const CASHBACK_STATUSES = ['requested', 'accepted', 'succeeded', 'failed'] as const
export type CashbackStatus = (typeof CASHBACK_STATUSES)[number]
export type CashbackEvent = 'accept' | 'succeed' | 'fail'

/**
 * `requested → succeeded` exists because PayPay may have accepted a Give whose answer was lost:
 * the next status read can already say SUCCESS. Nothing leaves succeeded or failed, so a FAILURE
 * reported after SUCCESS (or the reverse) is refused here and only here.
 */
export const cashbackLifecycle = defineStateMachine<CashbackStatus, CashbackEvent>('cashback', CASHBACK_STATUSES, [
  { from: 'requested', event: 'accept', to: 'accepted' },
  { from: ['requested', 'accepted'], event: 'succeed', to: 'succeeded' },
  { from: ['requested', 'accepted'], event: 'fail', to: 'failed' },
])

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

/** PayPay's cashback / reversal `data.status` values (gateways.md §1.4). */
export type PayPayTxStatus = 'ACCEPTED' | 'SUCCESS' | 'FAILURE'

export const eventForPayPayStatus = (s: PayPayTxStatus): CashbackEvent =>
  s === 'ACCEPTED' ? 'accept' : s === 'SUCCESS' ? 'succeed' : 'fail'

/** Our status in PayPay's words (history files are compared with PayPay's). */
export const payPayStatusOf = (s: CashbackStatus): PayPayTxStatus =>
  s === 'succeeded' ? 'SUCCESS' : s === 'failed' ? 'FAILURE' : 'ACCEPTED'

export const reversibleAmount = (c: Pick<Cashback, 'status' | 'amount' | 'reversalReserved'>): number =>
  c.status === 'succeeded' ? c.amount - c.reversalReserved : 0
