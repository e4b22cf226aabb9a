/**
 * Paystack events carry no event id (docs/protocols/paystack.md, "Webhooks"), so the
 * deduplication key is derived from what identifies the fact: a charge event by its reference, a
 * refund event by its transaction, its refund reference (once known) or amount, and its status.
 */
export interface PaystackEvent {
  readonly event: string
  readonly data: Record<string, unknown>
}

export function eventKey(e: PaystackEvent): string | null {
  const d = e.data
  if (e.event.startsWith('charge.')) {
    return typeof d['reference'] === 'string' && d['reference'] !== '' ? `${e.event}:${d['reference']}` : null
  }
  if (e.event.startsWith('refund.')) {
    const tx = d['transaction_reference']
    if (typeof tx !== 'string' || tx === '') return null
    const which = d['refund_reference'] ?? d['id'] ?? `amount-${String(d['amount'])}`
    return `${e.event}:${tx}:${String(which)}:${String(d['status'] ?? '')}`
  }
  return null
}

/** The charge reference a refund event is about, or null. */
export const refundTransactionReference = (e: PaystackEvent): string | null =>
  typeof e.data['transaction_reference'] === 'string' ? e.data['transaction_reference'] : null
