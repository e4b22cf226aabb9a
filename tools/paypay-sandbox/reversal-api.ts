/**
 * Reverse Cashback (POST /v2/cashback_reversal → 202 REQUEST_ACCEPTED) and Check Cashback Reversal
 * Details (GET /v2/cashback_reversal/{merchantCashbackReversalId}/{merchantCashbackId}, reversal id
 * first), docs/protocols/paypay-opa.md. Partial and repeated reversals are allowed up to what is
 * left of a granted cashback.
 */
import { canonical, FieldReader, type Json } from './body.ts'
import { CODES, reply, type ApiReply } from './codes.ts'
import type { SandboxContext } from './context.ts'
import { reversalDetails } from './details.ts'
import { scheduleSettlement } from './settlement.ts'
import type { Reversal } from './store.ts'

export function reverseCashback(ctx: SandboxContext, j: Json): ApiReply {
  const f = new FieldReader(j)
  const merchantCashbackReversalId = f.id('merchantCashbackReversalId')
  const merchantCashbackId = f.id('merchantCashbackId')
  const amount = f.money('amount')
  const requestedAt = f.epochSeconds('requestedAt')
  const reason = f.text('reason', 255)
  const metadata = f.metadata('metadata')
  if (f.problem) return reply(f.problem.code, null, f.problem.detail)

  const fingerprint = canonical({ merchantCashbackId, amount, reason, metadata })
  const existing = ctx.store.reversals.get(merchantCashbackReversalId!)
  if (existing) {
    if (ctx.duplicates === 'replay' && existing.fingerprint === fingerprint) return reply(CODES.REQUEST_ACCEPTED)
    const why = existing.fingerprint === fingerprint ? 'already used' : 'already used for a different request'
    return reply(CODES.VALIDATION_FAILED_EXCEPTION, null, `merchantCashbackReversalId ${why}`)
  }
  const cashback = ctx.store.cashbacks.get(merchantCashbackId!)
  if (!cashback) return reply(CODES.TRANSACTION_NOT_FOUND, null, merchantCashbackId)
  // PayPay's codes for these refusals are unknown (its FAQ's reversal rows could not be read).
  if (cashback.status !== 'SUCCESS') {
    return reply(
      CODES.VALIDATION_FAILED_EXCEPTION,
      null,
      `cashback is ${cashback.status}; only a granted (SUCCESS) cashback can be reversed`,
    )
  }
  const left = ctx.store.reversibleAmount(cashback)
  if (amount!.amount > left)
    return reply(CODES.VALIDATION_FAILED_EXCEPTION, null, `at most ${left} JPY of this cashback can still be reversed`)

  const now = ctx.now()
  const reversal: Reversal = {
    merchantCashbackReversalId: merchantCashbackReversalId!,
    merchantCashbackId: merchantCashbackId!,
    cashbackReversalId: ctx.store.nextCashbackReversalId(),
    amount: amount!,
    requestedAt: requestedAt!,
    ...(reason !== undefined && { reason }),
    ...(metadata !== undefined && { metadata }),
    fingerprint,
    acceptedAt: now,
    settleAt: now + ctx.settleDelayMs,
    status: 'ACCEPTED',
  }
  ctx.store.reversals.set(reversal.merchantCashbackReversalId, reversal)
  ctx.log(`reverse ${reversal.merchantCashbackReversalId}: ${amount!.amount} JPY of ${merchantCashbackId}`)
  scheduleSettlement(ctx, ctx.settleDelayMs)
  return reply(CODES.REQUEST_ACCEPTED)
}

export function checkReversal(ctx: SandboxContext, merchantCashbackReversalId: string, merchantCashbackId: string): ApiReply {
  const r = ctx.store.reversals.get(merchantCashbackReversalId)
  // Both ids must match: swapping them (the path puts the reversal id first) finds nothing.
  if (!r || r.merchantCashbackId !== merchantCashbackId) {
    return reply(CODES.TRANSACTION_NOT_FOUND, null, `${merchantCashbackReversalId}/${merchantCashbackId}`)
  }
  const data = reversalDetails(ctx, r)
  if (r.failure) return { status: 200, body: { resultInfo: r.failure, data } }
  return reply(CODES.SUCCESS, data)
}
