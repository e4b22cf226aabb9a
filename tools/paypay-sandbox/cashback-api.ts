/**
 * Give Cashback (POST /v2/cashback → 202 REQUEST_ACCEPTED) and Check Cashback Details (GET
 * /v2/cashback/{merchantCashbackId}), docs/protocols/paypay-opa.md. The grant is asynchronous: a
 * cashback is ACCEPTED, then SUCCESS settleDelayMs later, or FAILURE when a control call says so.
 */
import { authorizationProblem } from './authorizations.ts'
import { canonical, FieldReader, type Json } from './body.ts'
import { CODES, reply, type ApiReply } from './codes.ts'
import type { SandboxContext } from './context.ts'
import { cashbackDetails } from './details.ts'
import { scheduleSettlement } from './settlement.ts'
import type { Cashback } from './store.ts'

const WALLET_TYPES = ['PREPAID', 'CASHBACK'] as const

export function giveCashback(ctx: SandboxContext, j: Json): ApiReply {
  const f = new FieldReader(j)
  const merchantCashbackId = f.id('merchantCashbackId')
  const userAuthorizationId = f.id('userAuthorizationId')
  const amount = f.money('amount')
  const requestedAt = f.epochSeconds('requestedAt')
  const orderDescription = f.text('orderDescription', 255)
  const walletType = f.oneOf('walletType', WALLET_TYPES)
  const expiryDate = f.date('expiryDate')
  const metadata = f.metadata('metadata')
  if (f.problem) return reply(f.problem.code, null, f.problem.detail)

  // requestedAt is left out: the Node SDK stamps "now" into it on every POST, retries included.
  const fingerprint = canonical({ userAuthorizationId, amount, orderDescription, walletType, expiryDate, metadata })
  const existing = ctx.store.cashbacks.get(merchantCashbackId!)
  if (existing) {
    if (ctx.duplicates === 'replay' && existing.fingerprint === fingerprint) return reply(CODES.REQUEST_ACCEPTED)
    const why = existing.fingerprint === fingerprint ? 'already used' : 'already used for a different request'
    return reply(CODES.VALIDATION_FAILED_EXCEPTION, null, `merchantCashbackId ${why}`)
  }
  const problem = authorizationProblem(ctx, userAuthorizationId!, 'cashback')
  if (problem) return problem

  const now = ctx.now()
  const cashback: Cashback = {
    merchantCashbackId: merchantCashbackId!,
    cashbackId: ctx.store.nextCashbackId(),
    userAuthorizationId: userAuthorizationId!,
    amount: amount!,
    requestedAt: requestedAt!,
    ...(orderDescription !== undefined && { orderDescription }),
    ...(walletType !== undefined && { walletType }),
    ...(expiryDate !== undefined && { expiryDate }),
    ...(metadata !== undefined && { metadata }),
    fingerprint,
    acceptedAt: now,
    settleAt: now + ctx.settleDelayMs,
    status: 'ACCEPTED',
  }
  ctx.store.cashbacks.set(cashback.merchantCashbackId, cashback)
  ctx.log(`give ${cashback.merchantCashbackId}: ${amount!.amount} JPY to ${userAuthorizationId}`)
  scheduleSettlement(ctx, ctx.settleDelayMs)
  return reply(CODES.REQUEST_ACCEPTED)
}

export function checkCashback(ctx: SandboxContext, merchantCashbackId: string): ApiReply {
  const c = ctx.store.cashbacks.get(merchantCashbackId)
  // PayPay may not see a just-accepted cashback yet (FAQ: TRANSACTION_NOT_FOUND right after Give).
  if (!c || ctx.now() < c.acceptedAt + ctx.visibilityDelayMs) return reply(CODES.TRANSACTION_NOT_FOUND, null, merchantCashbackId)
  const data = cashbackDetails(ctx, c)
  // A failed grant carries its reason in resultInfo, still HTTP 200 (NOT_ENOUGH_MONEY fixture).
  if (c.failure) return { status: 200, body: { resultInfo: c.failure, data } }
  return reply(CODES.SUCCESS, data)
}
