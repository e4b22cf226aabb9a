import type { Brand } from '../../shared/brand.ts'
import type { Money } from '../../shared/money.ts'
import { defineStateMachine } from '../../shared/state-machine.ts'

export type GiftId = Brand<string, 'GiftId'>

/** The shop system stores gift_status as a small integer; these are its meanings. */
export const GIFT_STATUS_CODE = { unused: 0, used: 1 } as const
export type GiftStatus = keyof typeof GIFT_STATUS_CODE

export const giftLifecycle = defineStateMachine<GiftStatus, 'redeem'>('gift', ['unused', 'used'], [
  { from: 'unused', event: 'redeem', to: 'used' },
])

export interface Gift {
  readonly giftId: GiftId
  readonly status: GiftStatus
  readonly value: Money
  /** Inclusive start of validity; null means valid from issue. */
  readonly validFrom: Date | null
  /** Exclusive end of validity; null means no expiry. */
  readonly validUntil: Date | null
  readonly usedAt: Date | null
  readonly usedSupplierCode: string | null
  readonly usedInvoiceNo: string | null
  readonly createdAt: Date
}
