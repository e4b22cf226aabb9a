/**
 * POST /v2/refund and POST /v2/query_refund (docs/protocols/zalopay.md). Refunds are asynchronous:
 * each starts `processing` and turns `success` refundDelayMs later, unless a control call settles
 * it.
 */
import { failure, processing, SUB, success, type Reply } from './codes.ts'
import type { SandboxContext } from './context.ts'
import { macInput, macMatches } from './mac.ts'
import { isDigits, isPositiveInt, type Params } from './params.ts'
import { refundStatus, type Refund } from './store.ts'
import { vnYymmdd } from './vn-time.ts'

const REFUND_REQUIRED = ['app_id', 'm_refund_id', 'zp_trans_id', 'amount', 'timestamp', 'description', 'mac'] as const

export function createRefund(ctx: SandboxContext, p: Params): Reply {
  const missing = REFUND_REQUIRED.find((f) => p[f] === undefined || p[f].trim() === '')
  if (missing) return failure(SUB.ILLEGAL_DATA, `missing ${missing}`)
  if (!isDigits(p['app_id'])) return failure(SUB.ILLEGAL_DATA, 'app_id must be an integer')
  if (!isDigits(p['zp_trans_id'])) return failure(SUB.ILLEGAL_DATA, 'zp_trans_id must be an integer')
  if (!isPositiveInt(p['amount'])) return failure(SUB.ILLEGAL_DATA, 'amount must be a positive integer (VND)')
  if (!isDigits(p['timestamp'])) return failure(SUB.ILLEGAL_DATA, 'timestamp must be an integer (unix ms)')
  const fee = p['refund_fee_amount']
  if (fee !== undefined && (!isDigits(fee) || Number(fee) > Number(p['amount']))) {
    return failure(SUB.ILLEGAL_DATA, 'refund_fee_amount must be an integer no larger than amount')
  }
  if (Number(p['app_id']) !== ctx.appId) return failure(SUB.ILLEGAL_APP, `app_id ${p['app_id']}`)
  if (!macMatches(ctx.key1, macInput.refund(p), p['mac'])) return failure(SUB.BAD_MAC)

  const now = ctx.now()
  const mRefundId = p['m_refund_id']!
  const expectedPrefix = `${vnYymmdd(now)}_${ctx.appId}_`
  if (!mRefundId.startsWith(expectedPrefix) || mRefundId.length === expectedPrefix.length) {
    return failure(SUB.ILLEGAL_DATA, `m_refund_id must look like ${expectedPrefix}<id> (yyMMdd in GMT+7)`)
  }
  const zpTransId = Number(p['zp_trans_id'])
  const amount = Number(p['amount'])
  const existing = ctx.store.refunds.get(mRefundId)
  if (existing) {
    // [INFERENCE] a retried refund (same id, same request) answers with its current state; the
    // same id for a different refund is refused as a duplicate.
    if (existing.zpTransId === zpTransId && existing.amount === amount) return refundReply(ctx, existing)
    return failure(SUB.DUPLICATE, `m_refund_id ${mRefundId} was used for another refund`)
  }
  const order = ctx.store.byZpTransId(zpTransId)
  if (!order) return failure(SUB.NOT_FOUND, `zp_trans_id ${p['zp_trans_id']}`)
  if (order.status !== 'paid') return failure(SUB.NOT_REFUNDABLE)
  const left = order.paidAmount! - ctx.store.refundedAmount(zpTransId, now)
  if (amount > left) return failure(SUB.OVER_REFUND, `${left} VND left`)

  const refund: Refund = {
    mRefundId,
    refundId: ctx.store.nextRefundId(now),
    zpTransId,
    appTransId: order.appTransId,
    amount,
    ...(fee !== undefined && { refundFeeAmount: Number(fee) }),
    description: p['description']!,
    timestamp: Number(p['timestamp']),
    createdAt: now,
    settleAt: now + ctx.refundDelayMs,
  }
  ctx.store.refunds.set(mRefundId, refund)
  ctx.log(`refund ${mRefundId}: ${amount} VND of ${order.appTransId}`)
  return refundReply(ctx, refund)
}

/** The refund answer mirrors the refund's state: processing (3) until it settles. */
function refundReply(ctx: SandboxContext, r: Refund): Reply {
  const status = refundStatus(r, ctx.now())
  if (status === 'success') return success({ refund_id: r.refundId })
  if (status === 'failed') return failure(SUB.PAYMENT_FAILED, undefined, { refund_id: r.refundId })
  return processing({ refund_id: r.refundId })
}

export function queryRefund(ctx: SandboxContext, p: Params): Reply {
  const missing = (['app_id', 'm_refund_id', 'timestamp', 'mac'] as const).find((f) => !p[f])
  if (missing) return failure(SUB.ILLEGAL_DATA, `missing ${missing}`)
  if (!isDigits(p['app_id'])) return failure(SUB.ILLEGAL_DATA, 'app_id must be an integer')
  if (!isDigits(p['timestamp'])) return failure(SUB.ILLEGAL_DATA, 'timestamp must be an integer (unix ms)')
  if (Number(p['app_id']) !== ctx.appId) return failure(SUB.ILLEGAL_APP, `app_id ${p['app_id']}`)
  if (!macMatches(ctx.key1, macInput.queryRefund(p), p['mac'])) return failure(SUB.BAD_MAC)

  const refund = ctx.store.refunds.get(p['m_refund_id']!)
  if (!refund) return failure(SUB.NOT_FOUND, `m_refund_id ${p['m_refund_id']}`)
  const status = refundStatus(refund, ctx.now())
  // The SDK's recorded query_refund answer carries only the four envelope fields.
  if (status === 'success') return success({}, '')
  if (status === 'failed') return failure(SUB.PAYMENT_FAILED)
  return processing()
}
