import type { Brand } from '../../shared/brand.ts'
import { defineStateMachine } from '../../shared/state-machine.ts'
import type { MerchantCashbackId } from './cashback.ts'

/**
 * Taking (part of) a granted cashback back from the user's PayPay balance and returning it as
 * points (seed 000 "Revert cashback from PayPay"). Reverse Cashback answers REQUEST_ACCEPTED; the
 * reversal settles later, and only SUCCESS credits points: exactly the amount PayPay reports as
 * taken back, which can be less than asked when the user already spent it (§1.3, FAQ).
 */
export type MerchantCashbackReversalId = Brand<string, 'MerchantCashbackReversalId'>

export const REVERSAL_STATUSES = ['requested', 'accepted', 'succeeded', 'failed'] as const
export type ReversalStatus = (typeof REVERSAL_STATUSES)[number]
export type ReversalEvent = 'accept' | 'succeed' | 'fail'

export const reversalLifecycle = defineStateMachine<ReversalStatus, ReversalEvent>('cashback_reversal', REVERSAL_STATUSES, [
  { from: 'requested', event: 'accept', to: 'accepted' },
  { from: ['requested', 'accepted'], event: 'succeed', to: 'succeeded' },
  { from: ['requested', 'accepted'], event: 'fail', to: 'failed' },
])

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
