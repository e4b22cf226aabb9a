import { defineStateMachine, type StateMachine, type TransitionTable } from '../../shared/state-machine.ts'

/**
 * Give Cashback and Reverse Cashback are the same kind of PayPay request: PayPay answers
 * REQUEST_ACCEPTED and settles it later as SUCCESS or FAILURE (docs/protocols/paypay-opa.md). A
 * cashback and a reversal therefore share one lifecycle, defined once here.
 */
export const PAYPAY_REQUEST_STATUSES = ['requested', 'accepted', 'succeeded', 'failed'] as const
export type PayPayRequestStatus = (typeof PAYPAY_REQUEST_STATUSES)[number]
export type PayPayRequestEvent = 'accept' | 'succeed' | 'fail'

/** PayPay's cashback / reversal `data.status` values (docs/protocols/paypay-opa.md). */
export type PayPayTxStatus = 'ACCEPTED' | 'SUCCESS' | 'FAILURE'

/**
 * `requested → succeeded` exists because PayPay may have accepted a request whose answer was lost:
 * the next status read can already say SUCCESS. Nothing leaves succeeded or failed, so a FAILURE
 * reported after SUCCESS (or the reverse) is refused here and only here.
 */
const TRANSITIONS: TransitionTable<PayPayRequestStatus, PayPayRequestEvent> = [
  { from: 'requested', event: 'accept', to: 'accepted' },
  { from: ['requested', 'accepted'], event: 'succeed', to: 'succeeded' },
  { from: ['requested', 'accepted'], event: 'fail', to: 'failed' },
]

/** The lifecycle under the name its refusals carry ('cashback', 'cashback_reversal'). */
export const payPayRequestLifecycle = (name: string): StateMachine<PayPayRequestStatus, PayPayRequestEvent> =>
  defineStateMachine(name, PAYPAY_REQUEST_STATUSES, TRANSITIONS)

export const eventForPayPayStatus = (s: PayPayTxStatus): PayPayRequestEvent =>
  s === 'ACCEPTED' ? 'accept' : s === 'SUCCESS' ? 'succeed' : 'fail'

/** Where PayPay's word moves a request. */
export const statusForPayPayStatus: Readonly<Record<PayPayTxStatus, PayPayRequestStatus>> = {
  ACCEPTED: 'accepted',
  SUCCESS: 'succeeded',
  FAILURE: 'failed',
}

/** Our status in PayPay's words (history files are compared with PayPay's). */
export const payPayStatusOf = (s: PayPayRequestStatus): PayPayTxStatus =>
  s === 'succeeded' ? 'SUCCESS' : s === 'failed' ? 'FAILURE' : 'ACCEPTED'

/**
 * A report that changes nothing: PayPay says what we already have, or ACCEPTED arrives after the
 * request moved past it (reports come out of order). Anything else goes to the lifecycle table.
 */
export const reportsNothingNew = (current: PayPayRequestStatus, reported: PayPayTxStatus): boolean =>
  current === statusForPayPayStatus[reported] || (reported === 'ACCEPTED' && (current === 'accepted' || current === 'succeeded'))
