/**
 * How a payment ends — from the checkout page or a control call: the transaction's final state and,
 * on success, the signed charge.success webhook whose data is the verify object
 * (docs/protocols/paystack.md). Declines send nothing: Paystack's event samples show no
 * charge.failed event.
 */
import type { SandboxContext } from './context.ts'
import { randomCode, type Authorization, type Transaction } from './store.ts'
import { transactionData } from './views.ts'
import type { DispatchResult } from './webhooks.ts'

export type Outcome = 'success' | 'failed'
export const OUTCOMES: readonly Outcome[] = ['success', 'failed']

export class SettleError extends Error {}

/**
 * Resolves after charge.success's first attempt (or once it is queued/delayed), returning what
 * happened to it; retries continue in the background.
 */
export async function settleTransaction(
  ctx: SandboxContext,
  tx: Transaction,
  outcome: Outcome,
  opts: { amount?: number; currency?: string; ipAddress?: string | null } = {},
): Promise<(DispatchResult & { index: number }) | undefined> {
  if (tx.status !== 'abandoned') throw new SettleError(`transaction ${tx.reference} is already ${tx.status}`)
  const now = ctx.now()
  ctx.log(`settle ${tx.reference}: ${outcome}`)
  tx.settledAt = now
  tx.ipAddress = opts.ipAddress ?? null
  if (outcome === 'failed') {
    tx.status = 'failed'
    return undefined
  }
  tx.status = 'success'
  tx.paidAt = now
  tx.paidAmount = opts.amount ?? tx.amount
  tx.paidCurrency = opts.currency ?? tx.currency
  tx.authorization = testCardAuthorization()
  return ctx.webhooks.emit('charge.success', transactionData(ctx, tx))
}

/** Paystack's public Visa test card (4084 0840 8408 4081). */
function testCardAuthorization(): Authorization {
  return {
    authorization_code: `AUTH_${randomCode(10)}`,
    bin: '408408',
    last4: '4081',
    exp_month: '12',
    exp_year: '2030',
    channel: 'card',
    card_type: 'visa ',
    bank: 'TEST BANK',
    country_code: 'NG',
    brand: 'visa',
    reusable: true,
    signature: `SIG_${randomCode(20)}`,
    account_name: null,
  }
}
