import type { PaymentDeps } from '../deps.ts'

/** Re-reads a charge's refunds from Paystack and moves ours to match (refund events, reconciliation). */
export async function syncRefunds(deps: PaymentDeps, reference: string, requestId: string): Promise<number> {
  const listed = await deps.gateway.listRefunds(reference)
  if (!listed.ok) return 0
  return deps.store.applyGatewayRefunds(reference, listed.value, { actor: 'paystack:refunds', requestId, now: deps.clock.now() })
}
