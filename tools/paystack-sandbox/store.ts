/** Transactions, customers and refunds held by the sandbox, with Paystack-shaped ids and codes. */
import { randomInt } from 'node:crypto'

/** What a transaction went through; `reversed` is derived from its refunds (see views.ts). */
export type TransactionStatus = 'abandoned' | 'success' | 'failed'

export interface Authorization {
  authorization_code: string
  bin: string
  last4: string
  exp_month: string
  exp_year: string
  channel: string
  card_type: string
  bank: string
  country_code: string
  brand: string
  reusable: boolean
  signature: string
  account_name: string | null
}

export interface Customer {
  id: number
  email: string
  customerCode: string
}

export interface Transaction {
  id: number
  reference: string
  accessCode: string
  email: string
  /** What initialize asked for (verify's requested_amount). */
  amount: number
  currency: string
  callbackUrl?: string
  /** As received: an object, or a string that was not a JSON object. */
  metadata: unknown
  channels: string[]
  createdAt: number
  status: TransactionStatus
  /** What was paid; differs from amount only when a control call forces it. */
  paidAmount?: number
  paidCurrency?: string
  paidAt?: number
  settledAt?: number
  ipAddress: string | null
  authorization?: Authorization
  customer: Customer
}

export type RefundStatus = 'pending' | 'processing' | 'processed' | 'failed'
export const FINAL_REFUND_STATUSES: readonly RefundStatus[] = ['processed', 'failed']

export interface Refund {
  id: number
  transactionId: number
  transactionReference: string
  amount: number
  currency: string
  customerNote: string
  merchantNote: string
  refundedBy: string
  status: RefundStatus
  createdAt: number
  updatedAt: number
  expectedAt: number
  refundedAt?: number
  /** The processor's reference; Paystack's refund events carry null until it is known. */
  refundReference?: string
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'
export function randomCode(length: number, alphabet = ALNUM): string {
  let s = ''
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)]
  return s
}

export class Store {
  readonly transactions = new Map<string, Transaction>()
  readonly refunds = new Map<number, Refund>()
  private readonly customers = new Map<string, Customer>()
  // Random starting points and no reset: ids must not repeat across resets or restarts, since a
  // backend's database outlives one sandbox run.
  private txSeq = randomInt(1_000_000, 2_000_000_000)
  private refundSeq = randomInt(1_000_000, 2_000_000_000)
  private customerSeq = randomInt(1_000_000, 2_000_000_000)

  addTransaction(tx: Transaction): void {
    this.transactions.set(tx.reference, tx)
  }

  byAccessCode(code: string): Transaction | undefined {
    for (const tx of this.transactions.values()) if (tx.accessCode === code) return tx
    return undefined
  }

  byId(id: number): Transaction | undefined {
    for (const tx of this.transactions.values()) if (tx.id === id) return tx
    return undefined
  }

  /** One customer per email, as on Paystack where the email identifies the customer. */
  customerFor(email: string): Customer {
    const key = email.toLowerCase()
    let c = this.customers.get(key)
    if (!c) {
      c = { id: ++this.customerSeq, email, customerCode: `CUS_${randomCode(15)}` }
      this.customers.set(key, c)
    }
    return c
  }

  nextTransactionId(): number {
    return ++this.txSeq
  }

  nextRefundId(): number {
    return ++this.refundSeq
  }

  refundsOf(transactionId: number): Refund[] {
    return [...this.refunds.values()].filter((r) => r.transactionId === transactionId)
  }

  /** Refunded or on its way (failed refunds give their amount back). */
  committedRefunds(transactionId: number): number {
    return this.refundsOf(transactionId)
      .filter((r) => r.status !== 'failed')
      .reduce((sum, r) => sum + r.amount, 0)
  }

  processedRefunds(transactionId: number): number {
    return this.refundsOf(transactionId)
      .filter((r) => r.status === 'processed')
      .reduce((sum, r) => sum + r.amount, 0)
  }

  clear(): void {
    this.transactions.clear()
    this.refunds.clear()
    this.customers.clear()
  }
}
