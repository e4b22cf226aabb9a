import type { Brand } from './brand.ts'

/** ISO 4217 code, upper case. */
export type Currency = Brand<string, 'Currency'>

/**
 * Amounts are integers in the currency's minor unit (kobo, cents; yen and dong have none), never
 * floats: a payment's amount is compared for equality with what the gateway reports.
 */
export interface Money {
  readonly amount: number
  readonly currency: Currency
}

export function isMinorUnitAmount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0
}

export function money(amount: number, currency: string): Money {
  if (!isMinorUnitAmount(amount)) throw new RangeError(`amount must be a non-negative safe integer, got ${amount}`)
  if (!/^[A-Z]{3}$/.test(currency)) throw new RangeError(`currency must be ISO 4217 upper case, got ${currency}`)
  return { amount, currency: currency as Currency }
}

export const sameMoney = (a: Money, b: Money): boolean => a.amount === b.amount && a.currency === b.currency
