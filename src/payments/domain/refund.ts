import type { Brand } from '../../shared/brand.ts'
import { defineStateMachine } from '../../shared/state-machine.ts'

export type RefundId = Brand<string, 'RefundId'>

export const REFUND_STATUSES = ['requested', 'pending', 'processing', 'processed', 'failed', 'needs_attention'] as const
export type RefundStatus = (typeof REFUND_STATUSES)[number]
export type RefundEvent = 'accept' | 'reject' | 'process' | 'complete' | 'fail' | 'attention'

/**
 * Seed 004 §2 plus Paystack's refund statuses (pending → processing → processed | failed, and
 * needs-attention). `requested` is ours: the amount is held before the gateway is called, so two
 * refunds racing cannot together exceed the payment.
 */
export const refundLifecycle = defineStateMachine<RefundStatus, RefundEvent>('refund', REFUND_STATUSES, [
  { from: 'requested', event: 'accept', to: 'pending' },
  { from: 'requested', event: 'reject', to: 'failed' },
  { from: ['requested', 'pending'], event: 'process', to: 'processing' },
  { from: ['requested', 'pending', 'processing', 'needs_attention'], event: 'complete', to: 'processed' },
  { from: ['requested', 'pending', 'processing', 'needs_attention'], event: 'fail', to: 'failed' },
  { from: ['pending', 'processing'], event: 'attention', to: 'needs_attention' },
])

/** Maps Paystack's refund status to the event that reaches it. */
export const REFUND_EVENT_FOR: Record<string, RefundEvent | undefined> = {
  pending: 'accept',
  processing: 'process',
  processed: 'complete',
  failed: 'fail',
  'needs-attention': 'attention',
}

/** Statuses whose amount still counts against what can be refunded. */
export const HOLDS_AMOUNT: ReadonlySet<RefundStatus> = new Set(['requested', 'pending', 'processing', 'processed', 'needs_attention'])
