/** Orders and refunds held by the sandbox, with ZaloPay-shaped ids. */
import { randomBytes, randomInt } from 'node:crypto'
import type { Sub } from './codes.ts'
import { vnYymmdd } from './vn-time.ts'

/** `expired` is never stored: a pending order past its expiry reads as expired. */
export type OrderStatus = 'pending' | 'processing' | 'paid' | 'failed' | 'cancelled'

export interface Order {
  appId: number
  appTransId: string
  appUser: string
  appTime: number
  amount: number
  description: string
  /** Kept verbatim: the callback echoes the strings the merchant signed. */
  item: string
  embedData: string
  bankCode: string
  callbackUrl?: string
  redirectUrl?: string
  zpTransToken: string
  createdAt: number
  expireAt: number
  status: OrderStatus
  /** Why a failed/cancelled order failed (query sub_return_code). */
  failure?: Sub
  zpTransId?: number
  serverTime?: number
  /** What the user paid; equals amount unless a control call forced another value. */
  paidAmount?: number
  /** The signed callback body, kept byte-exact so replays are true duplicates. */
  callbackBody?: string
}

export type RefundStatus = 'processing' | 'success' | 'failed'

export interface Refund {
  mRefundId: string
  refundId: number
  zpTransId: number
  appTransId: string
  amount: number
  refundFeeAmount?: number
  description: string
  timestamp: number
  createdAt: number
  /** When it turns to success on its own (Infinity: only a control call settles it). */
  settleAt: number
  forced?: 'success' | 'failed'
}

export function effectiveStatus(o: Order, now: number): OrderStatus | 'expired' {
  return o.status === 'pending' && now >= o.expireAt ? 'expired' : o.status
}

export function refundStatus(r: Refund, now: number): RefundStatus {
  return r.forced ?? (now >= r.settleAt ? 'success' : 'processing')
}

export class Store {
  readonly orders = new Map<string, Order>()
  readonly refunds = new Map<string, Refund>()
  // Random starting points and no reset: ids must not repeat across resets or restarts, since a
  // backend's database outlives one sandbox run.
  private zpSeq = randomInt(1, 500_000_000)
  private refundSeq = randomInt(1, 500_000_000)

  addOrder(o: Order): void {
    this.orders.set(o.appTransId, o)
  }

  byToken(token: string): Order | undefined {
    for (const o of this.orders.values()) if (o.zpTransToken === token) return o
    return undefined
  }

  byZpTransId(id: number): Order | undefined {
    for (const o of this.orders.values()) if (o.zpTransId === id) return o
    return undefined
  }

  /** yyMMdd + 9 digits, the shape of real ids such as 230512000007041. */
  nextZpTransId(now: number): number {
    return Number(`${vnYymmdd(now)}${String(++this.zpSeq % 1e9).padStart(9, '0')}`)
  }

  nextRefundId(now: number): number {
    return Number(`${vnYymmdd(now)}${String(++this.refundSeq % 1e9).padStart(9, '0')}`)
  }

  /** Amount already committed to refunds of a transaction (failed ones give it back). */
  refundedAmount(zpTransId: number, now: number): number {
    let sum = 0
    for (const r of this.refunds.values()) {
      if (r.zpTransId === zpTransId && refundStatus(r, now) !== 'failed') sum += r.amount
    }
    return sum
  }

  clear(): void {
    this.orders.clear()
    this.refunds.clear()
  }
}

/** Opaque like the real "AC-YGb2kvGFAmLzTmQD-PdjA". */
export function newZpTransToken(): string {
  return `AC${randomBytes(16).toString('base64url')}`
}
