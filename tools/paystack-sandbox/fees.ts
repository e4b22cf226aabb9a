/**
 * The `fees` field of a paid transaction. Illustrative only: Paystack's local card pricing for
 * NGN (1.5% + NGN 100, the NGN 100 waived under NGN 2,500, capped at NGN 2,000); a flat 1.5%
 * elsewhere. Adapters should read the number, not recompute it.
 */
export function transactionFees(amount: number, currency: string): number {
  if (currency !== 'NGN') return Math.round(amount * 0.015)
  const fee = Math.round(amount * 0.015) + (amount >= 250_000 ? 10_000 : 0)
  return Math.min(fee, 200_000)
}
