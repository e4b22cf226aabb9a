import type { Brand } from '../../shared/brand.ts'
import type { Money } from '../../shared/money.ts'
import { defineStateMachine } from '../../shared/state-machine.ts'

export type GiftId = Brand<string, 'GiftId'>

/** The shop system stores gift_status as a small integer; these are its meanings. */
export const GIFT_STATUS_CODE = { unused: 0, used: 1 } as const
export type GiftStatus = keyof typeof GIFT_STATUS_CODE

export const giftLifecycle = defineStateMachine<GiftStatus, 'redeem'>(
  'gift',
  ['unused', 'used'],
  [{ from: 'unused', event: 'redeem', to: 'used' }],
)

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

/** Who used a gift, and when: what a redemption writes onto it. */
export interface GiftUse {
  readonly usedAt: Date
  readonly supplierCode: string
  readonly invoiceNo: string
}

/**
 * The gift as a redemption leaves it. The store's guarded write (status still unused) is what makes
 * it true; the answer is built here from the snapshot it was decided on, not read back.
 */
export function redeemed(gift: Gift, use: GiftUse): Gift {
  const to = giftLifecycle.transition(gift.status, 'redeem')
  if (!to.ok) throw new Error(to.error.message)
  return { ...gift, status: to.value, usedAt: use.usedAt, usedSupplierCode: use.supplierCode, usedInvoiceNo: use.invoiceNo }
}
