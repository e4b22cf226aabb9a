import type { AuditEntry } from '../shared/audit.ts'
import type { Cashback, CashbackEvent, CashbackStatus, MerchantCashbackId, PayPayTxStatus } from './domain/cashback.ts'
import type { HistoryFile, HistoryRow, HistorySource } from './domain/history.ts'
import type { LedgerApplied, LedgerEntry, LedgerEntryId, NewLedgerEntry } from './domain/ledger.ts'
import type { LinkSession, LinkStatus, PayPayLink, ResponseTokenClaims } from './domain/link.ts'
import type { MerchantCashbackReversalId, Reversal, ReversalEvent, ReversalStatus } from './domain/reversal.ts'

// ---- points ------------------------------------------------------------------------------------

export interface PointsLedger {
  /**
   * Appends the entry and moves the balance in one transaction. The same idempotency key again
   * changes nothing (`replayed`); a debit larger than the balance changes nothing (`insufficient`).
   */
  apply(entry: NewLedgerEntry): Promise<LedgerApplied>
  balance(userId: string): Promise<number>
  /** Newest first; `before` is the last id of the previous page. */
  history(userId: string, page: { limit: number; before?: LedgerEntryId }): Promise<LedgerEntry[]>
}

// ---- account link ------------------------------------------------------------------------------

export interface LinkRepository {
  findLink(userId: string): Promise<PayPayLink | null>
  createSession(session: LinkSession): Promise<void>
  setSessionLinkUrl(id: string, linkUrl: string): Promise<void>
  findSession(id: string): Promise<LinkSession | null>
  /** Guarded: only a pending session moves; false otherwise. */
  closeSession(id: string, to: 'declined' | 'failed', at: Date): Promise<boolean>
  /**
   * One transaction: the pending session becomes linked and the user's link is stored (replacing
   * an older one). False when the session was no longer pending (a concurrent completion won).
   */
  completeSession(sessionId: string, link: PayPayLink, audit: AuditEntry): Promise<boolean>
  /** Sets the status of the user's link if it still holds this authorization. */
  setLinkStatus(userId: string, userAuthorizationId: string, status: LinkStatus, at: Date, audit?: AuditEntry): Promise<void>
  /** A grant extends the authorization (§1.7): expiry moves to `until` if later. */
  extendLink(userAuthorizationId: string, until: Date): Promise<void>
}

// ---- cashbacks and reversals --------------------------------------------------------------------

export type ExchangeCreated =
  | { readonly kind: 'created'; readonly cashback: Cashback }
  | { readonly kind: 'replayed'; readonly cashback: Cashback }
  | { readonly kind: 'insufficient'; readonly balance: number }

export interface CashbackChange {
  readonly at: Date
  readonly failureCode?: string | null
  readonly paypayCashbackId?: string | null
  /** Credited back in the same transaction (a failed cashback's points). */
  readonly refund?: NewLedgerEntry
  readonly audit: AuditEntry
}

export interface CashbackRepository {
  /**
   * One transaction: debits the points (never below zero, whatever runs concurrently) and creates
   * the cashback. With a request key already used by this user, returns that cashback instead.
   */
  createExchange(cashback: Cashback, debit: NewLedgerEntry, requestKey: string | null, audit: AuditEntry): Promise<ExchangeCreated>
  find(id: MerchantCashbackId): Promise<Cashback | null>
  findForUser(id: MerchantCashbackId, userId: string): Promise<Cashback | null>
  list(filter: { userId?: string; status?: CashbackStatus; limit: number; before?: MerchantCashbackId }): Promise<Cashback[]>
  /**
   * Takes the lease for a call that may change PayPay's side (Give / re-send): only one holder at
   * a time, counted in giveAttempts. Null when the cashback is not in `status` or someone holds it.
   */
  claim(id: MerchantCashbackId, status: CashbackStatus, token: string, now: Date, leaseUntil: Date): Promise<{ attempts: number } | null>
  release(id: MerchantCashbackId, token: string, lastError: string | null): Promise<void>
  /** Guarded: applies `event` only while the cashback is still `from`; the refund in the same transaction. */
  transition(id: MerchantCashbackId, from: CashbackStatus, event: CashbackEvent, change: CashbackChange): Promise<CashbackStatus | null>
  noteCheck(id: MerchantCashbackId, at: Date, lastError: string | null): Promise<void>
  /** Cashbacks still in `status` since before `olderThan` (requested: requestedAt; accepted: acceptedAt), oldest first. */
  due(status: 'requested' | 'accepted', olderThan: Date, limit: number): Promise<Cashback[]>
}

export type ReversalCreated =
  | { readonly kind: 'created'; readonly reversal: Reversal }
  | { readonly kind: 'replayed'; readonly reversal: Reversal }
  | { readonly kind: 'not_reversible'; readonly status: CashbackStatus | null; readonly reversible: number }

export interface ReversalChange {
  readonly at: Date
  readonly failureCode?: string | null
  readonly paypayReversalId?: string | null
  /** On succeed: what PayPay actually took back (≤ amount); the rest is released. */
  readonly reversedAmount?: number
  /** On succeed: the points credited back, in the same transaction. */
  readonly credit?: NewLedgerEntry
  readonly audit: AuditEntry
}

export interface ReversalRepository {
  /**
   * One transaction: reserves `amount` of the cashback's reversible JPY (never more than was
   * granted, whatever runs concurrently) and creates the reversal.
   */
  create(reversal: Reversal, requestKey: string | null, audit: AuditEntry): Promise<ReversalCreated>
  find(id: MerchantCashbackReversalId): Promise<Reversal | null>
  findByRequestKey(cashbackId: MerchantCashbackId, requestKey: string): Promise<Reversal | null>
  listForCashback(id: MerchantCashbackId): Promise<Reversal[]>
  claim(id: MerchantCashbackReversalId, status: ReversalStatus, token: string, now: Date, leaseUntil: Date): Promise<{ attempts: number } | null>
  release(id: MerchantCashbackReversalId, token: string, lastError: string | null): Promise<void>
  /**
   * Guarded like cashbacks. Succeed releases what was not reversed and credits `credit`; fail
   * releases the whole reservation. All in one transaction.
   */
  transition(id: MerchantCashbackReversalId, from: ReversalStatus, event: ReversalEvent, change: ReversalChange): Promise<ReversalStatus | null>
  noteCheck(id: MerchantCashbackReversalId, at: Date, lastError: string | null): Promise<void>
  due(status: 'requested' | 'accepted', olderThan: Date, limit: number): Promise<Reversal[]>
}

// ---- history files -----------------------------------------------------------------------------

export interface HistoryRepository {
  /** Cashbacks and reversals requested in [from, to), oldest first. */
  transactionsBetween(from: Date, to: Date): Promise<HistoryRow[]>
  /** Our rows for these ids (a cashback's row, a reversal's row), whatever day they were made. */
  transactionsFor(ids: { cashbackIds: readonly string[]; reversalIds: readonly string[] }): Promise<HistoryRow[]>
  /** Inserts, or updates the one file of (source, businessDate): a re-run never adds a second. */
  upsertFile(file: Omit<HistoryFile, 'id' | 'createdAt'> & { id: string; createdAt: Date }): Promise<HistoryFile>
  findFile(id: string): Promise<HistoryFile | null>
  findFileFor(source: HistorySource, businessDate: string): Promise<HistoryFile | null>
  listFiles(filter: { source?: HistorySource; limit: number; offset: number }): Promise<{ files: HistoryFile[]; total: number }>
}

// ---- PayPay ------------------------------------------------------------------------------------

/**
 * What a PayPay call came to. `refused` is PayPay's final word on this request (validation,
 * authorization); `transient` is anything worth retrying unchanged (timeouts, 5xx, 429, our
 * credentials rejected, an unreadable answer), where the request may or may not have landed.
 */
export type PayPayResult<T> =
  | { readonly ok: true; readonly code: string; readonly data: T }
  | { readonly ok: false; readonly kind: 'refused' | 'transient'; readonly code: string; readonly message: string; readonly httpStatus: number | null }

export type PayPayFailure = Extract<PayPayResult<unknown>, { ok: false }>

export interface CashbackDetails {
  readonly status: PayPayTxStatus
  readonly amount: number
  readonly cashbackId: string | null
  /** resultInfo.code when the grant failed (e.g. NOT_ENOUGH_MONEY). */
  readonly failureCode: string | null
}

export interface ReversalDetails {
  readonly status: PayPayTxStatus
  /** Once SUCCESS, what was actually taken back. */
  readonly amount: number
  readonly cashbackReversalId: string | null
  readonly failureCode: string | null
}

export interface AuthorizationStatus {
  readonly status: string
  readonly expiresAt: Date | null
}

export interface PayPayGateway {
  createLinkSession(input: { nonce: string; referenceId: string; redirectUrl: string }): Promise<PayPayResult<{ linkUrl: string }>>
  /** Verifies the responseToken's signature and lifetime; the caller checks result and nonce. */
  verifyResponseToken(token: string): Promise<{ ok: true; claims: ResponseTokenClaims } | { ok: false; reason: string }>
  authorizationStatus(userAuthorizationId: string): Promise<PayPayResult<AuthorizationStatus>>
  unlink(userAuthorizationId: string): Promise<PayPayResult<null>>
  giveCashback(input: {
    merchantCashbackId: string
    userAuthorizationId: string
    amount: number
    requestedAt: Date
    orderDescription: string
  }): Promise<PayPayResult<null>>
  checkCashback(merchantCashbackId: string): Promise<PayPayResult<CashbackDetails>>
  reverseCashback(input: {
    merchantCashbackReversalId: string
    merchantCashbackId: string
    amount: number
    requestedAt: Date
    reason: string | null
  }): Promise<PayPayResult<null>>
  checkReversal(merchantCashbackReversalId: string, merchantCashbackId: string): Promise<PayPayResult<ReversalDetails>>
}
