/**
 * The `data` of Check Cashback Details and Check Cashback Reversal Details, in the field order of
 * the SDK fixtures (docs/protocols/paypay-opa.md). Also the core of the notification body.
 */
import type { SandboxContext } from './context.ts'
import type { Cashback, Reversal } from './store.ts'

export const toSeconds = (ms: number): number => Math.floor(ms / 1000)

export function cashbackDetails(ctx: SandboxContext, c: Cashback): Record<string, unknown> {
  return {
    status: c.status,
    acceptedAt: toSeconds(c.acceptedAt),
    merchantAlias: ctx.creds.merchantId,
    amount: c.amount,
    requestedAt: c.requestedAt,
    // The fixtures show "" when the merchant sent no metadata.
    metadata: c.metadata ?? '',
    cashbackId: c.cashbackId,
    merchantCashbackId: c.merchantCashbackId,
    userAuthorizationId: c.userAuthorizationId,
    ...(c.orderDescription !== undefined && { orderDescription: c.orderDescription }),
    ...(c.walletType !== undefined && { walletType: c.walletType }),
  }
}

export function reversalDetails(ctx: SandboxContext, r: Reversal): Record<string, unknown> {
  return {
    status: r.status,
    acceptedAt: toSeconds(r.acceptedAt),
    merchantAlias: ctx.creds.merchantId,
    // Once settled, what was actually taken back (PayPay: "confirm the actual reversed amount").
    amount: { amount: r.status === 'SUCCESS' ? (r.reversedAmount ?? r.amount.amount) : r.amount.amount, currency: r.amount.currency },
    requestedAt: r.requestedAt,
    metadata: r.metadata ?? '',
    cashbackReversalId: r.cashbackReversalId,
    merchantCashbackReversalId: r.merchantCashbackReversalId,
    merchantCashbackId: r.merchantCashbackId,
  }
}
