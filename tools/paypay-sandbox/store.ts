/** What the sandbox remembers: QR link sessions, user authorizations, cashbacks and reversals. */
import { randomInt } from 'node:crypto'
import type { FailureReason } from './codes.ts'

export type TxStatus = 'ACCEPTED' | 'SUCCESS' | 'FAILURE'

export interface Money {
  amount: number
  currency: 'JPY'
}

export interface QrSession {
  id: string
  scopes: string[]
  nonce: string
  redirectType: 'WEB_LINK' | 'APP_DEEP_LINK'
  redirectUrl: string
  referenceId: string
  phoneNumber?: string
  deviceId?: string
  userAgent?: string
  createdAt: number
  state: 'pending' | 'approved' | 'declined'
  /** Where the browser was sent, kept so a second click shows the same way back. */
  location?: string
}

export interface UserAuthorization {
  userAuthorizationId: string
  /** The PayPay user behind it: re-linking the same phone number reuses the authorization. */
  phoneNumber: string
  profileIdentifier: string
  scopes: string[]
  referenceIds: string[]
  issuedAt: number
  expireAt: number
  revoked: boolean
}

export interface Cashback {
  merchantCashbackId: string
  cashbackId: string
  userAuthorizationId: string
  amount: Money
  requestedAt: number
  orderDescription?: string
  walletType?: 'PREPAID' | 'CASHBACK'
  expiryDate?: string
  metadata?: unknown
  /** The fields a re-send must repeat to count as the same request (requestedAt excluded). */
  fingerprint: string
  acceptedAt: number
  settleAt: number
  status: TxStatus
  failure?: FailureReason
  settledAt?: number
}

export interface Reversal {
  merchantCashbackReversalId: string
  merchantCashbackId: string
  cashbackReversalId: string
  /** What the merchant asked to reverse. */
  amount: Money
  /** What was actually taken back; can be less when the user had already spent the points. */
  reversedAmount?: number
  requestedAt: number
  reason?: string
  metadata?: unknown
  fingerprint: string
  acceptedAt: number
  settleAt: number
  status: TxStatus
  failure?: FailureReason
  settledAt?: number
}

export class Store {
  readonly sessions = new Map<string, QrSession>()
  readonly authorizations = new Map<string, UserAuthorization>()
  readonly cashbacks = new Map<string, Cashback>()
  readonly reversals = new Map<string, Reversal>()
  // Random starting points that survive reset: a backend's database outlives one sandbox run, so
  // PayPay-side ids must not repeat.
  private cashbackSeq = randomInt(1, 2 ** 40)
  private reversalSeq = randomInt(1, 2 ** 40)

  /** 20 digits, the shape of "00000000000000001111" in the SDK fixtures. */
  nextCashbackId(): string {
    return String(++this.cashbackSeq).padStart(20, '0')
  }

  nextCashbackReversalId(): string {
    return String(++this.reversalSeq).padStart(20, '0')
  }

  authorizationByPhone(phoneNumber: string): UserAuthorization | undefined {
    for (const a of this.authorizations.values()) if (a.phoneNumber === phoneNumber && !a.revoked) return a
    return undefined
  }

  reversalsOf(merchantCashbackId: string): Reversal[] {
    return [...this.reversals.values()].filter((r) => r.merchantCashbackId === merchantCashbackId)
  }

  /** What can still be reversed: pending reversals hold their amount, failed ones give it back. */
  reversibleAmount(c: Cashback): number {
    let taken = 0
    for (const r of this.reversalsOf(c.merchantCashbackId)) {
      if (r.status === 'ACCEPTED') taken += r.amount.amount
      else if (r.status === 'SUCCESS') taken += r.reversedAmount ?? r.amount.amount
    }
    return c.amount.amount - taken
  }

  clear(): void {
    this.sessions.clear()
    this.authorizations.clear()
    this.cashbacks.clear()
    this.reversals.clear()
  }
}
