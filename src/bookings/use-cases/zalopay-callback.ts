import { isOpen } from '../domain/payment-session.ts'
import type { BookingDeps } from '../deps.ts'
import { settlePayment } from './settle-payment.ts'

/** ZaloPay's expected reply: HTTP 200 with this JSON; return_code 1 is the only ack. */
export interface ZaloPayReply {
  readonly return_code: number
  readonly return_message: string
}

/**
 * ZaloPay's server-to-server callback (docs/protocols/zalopay.md, "Callback"). The key2 MAC over
 * the exact `data` string is checked in constant time before anything else is read; a bad MAC is
 * answered with -1 and changes nothing. A verified callback is stored once per (app_trans_id, zp_trans_id) by
 * the statement that reads its session, then the order's status is taken from the query API (the
 * callback body is never trusted for money) and applied through the same code path as the status
 * endpoint and the scheduled job, whose commit is one statement.
 * Duplicates are acknowledged and change nothing; an outcome not yet confirmed gets 0 so ZaloPay
 * sends the callback again.
 */
export async function handleZaloPayCallback(deps: BookingDeps, rawBody: string, requestId: string): Promise<ZaloPayReply> {
  const gateway = deps.gateway
  if (!gateway) return { return_code: 0, return_message: 'not configured' }
  const check = await gateway.verifyCallback(rawBody)
  if (!check.ok) {
    deps.logger.warn('ZaloPay callback refused', { reason: check.reason })
    return check.reason === 'mac'
      ? { return_code: -1, return_message: 'mac not equal' }
      : { return_code: -1, return_message: 'invalid callback' }
  }
  // The one read before the settlement: it decides whether ZaloPay is asked at all (an unknown
  // order or a duplicate of a settled one is answered at once), and stores the callback.
  const received = await deps.sessions.receiveCallback(check.appTransId, check.transactionId, check.data, deps.clock.now())
  if (!received) {
    deps.logger.error('ZaloPay callback for an unknown order', { app_trans_id: check.appTransId })
    return { return_code: 0, return_message: 'unknown app_trans_id' }
  }
  const { session, first } = received
  if (!first && !isOpen(session.status)) return { return_code: 1, return_message: 'duplicate' }

  const settled = await settlePayment(deps, session, await gateway.queryOrder(check.appTransId), { source: 'callback', requestId })
  if (settled.session.status === 'PAID' || settled.refunded) return { return_code: 1, return_message: 'success' }
  if (!isOpen(settled.session.status)) return { return_code: 1, return_message: 'success' }
  return { return_code: 0, return_message: 'payment not confirmed yet' }
}
