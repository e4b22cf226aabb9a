import type { AuditEntry } from '../shared/audit.ts'
import type { Cashback, CashbackEvent, CashbackStatus, MerchantCashbackId } from './domain/cashback.ts'
import type { PayPayTxStatus } from './domain/paypay-request.ts'
import type { HistoryFile, HistoryRow, HistorySource } from './domain/history.ts'
import type { LedgerApplied, LedgerEntry, LedgerEntryId, NewLedgerEntry } from './domain/ledger.ts'
import type { LinkSession, LinkStatus, PayPayLink, ResponseTokenClaims } from './domain/link.ts'
import type { MerchantCashbackReversalId, Reversal, ReversalEvent, ReversalStatus } from './domain/reversal.ts'

// ---- points ------------------------------------------------------------------------------------

export interface PointsSnapshot {
  readonly balance: number
  /** Newest first. */
  readonly entries: LedgerEntry[]
}

export interface PointsLedger {
  /**
   * Appends the entry and moves the balance in one statement. The same idempotency key again
   * changes nothing (`replayed`); a debit larger than the balance changes nothing (`insufficient`).
   */
  apply(entry: NewLedgerEntry): Promise<LedgerApplied>
  /** The balance and a page of history (`before` is the last id of the previous page), read together. */
  view(userId: string, page: { limit: number; before?: LedgerEntryId }): Promise<PointsSnapshot>
  /** What the exchange page shows, read together. */
  balanceAndLink(userId: string): Promise<{ balance: number; link: PayPayLink | null }>
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
   * One statement: the pending session becomes linked and the user's link is stored (replacing
   * an older one). False when the session was no longer pending (a concurrent completion won).
   */
  completeSession(sessionId: string, link: PayPayLink, audit: AuditEntry): Promise<boolean>
  /**
   * Sets the status of the user's link if it still holds this authorization (and, with
   * `onlyFrom`, is still in that status), with its audit row, in one statement.
   */
  setLinkStatus(
    userId: string,
    userAuthorizationId: string,
    status: LinkStatus,
    at: Date,
    audit?: AuditEntry,
    onlyFrom?: LinkStatus,
  ): Promise<void>
  /** A grant extends the authorization (docs/protocols/paypay-opa.md): expiry moves to `until` if later. */
  extendLink(userAuthorizationId: string, until: Date): Promise<void>
}

// ---- cashbacks and reversals --------------------------------------------------------------------

/** What an exchange needs that only the caller knows; the authorization comes from the user's link. */
export interface ExchangeDraft {
  readonly merchantCashbackId: MerchantCashbackId
  readonly userId: string
  readonly points: number
  readonly amount: number
  /** The client's Idempotency-Key, unique per user. */
  readonly requestKey: string | null
  /** The link must be live at this instant (see effectiveLinkStatus). */
  readonly at: Date
}

/**
 * One exchange statement's answer, all from its one snapshot: the link and the earlier cashback
 * under the same request key that decided it, the cashback it created (null when the link was not
 * live, the key was used, or the debit did not fit) and the balance before the debit.
 */
export interface ExchangeAttempt {
  readonly link: PayPayLink | null
  readonly prior: Cashback | null
  readonly created: Cashback | null
  readonly balance: number
}

/** A Give / Reverse lease released by the same statement that records PayPay's answer. */
export interface LeaseRelease {
  readonly token: string
  readonly lastError: string | null
}

export interface CashbackChange {
  readonly at: Date
  readonly failureCode?: string | null
  readonly paypayCashbackId?: string | null
  /** Credited back in the same statement (a failed cashback's points). */
  readonly refund?: NewLedgerEntry
  /** On succeed: the link's expiry moves to at least this (a grant extends the authorization). */
  readonly extendLinkUntil?: Date
  /** A check's answer: recorded as the last check, with no error. */
  readonly checkedAt?: Date
  readonly release?: LeaseRelease
  readonly audit: AuditEntry
}

/** A lease taken (with the record as it now is), or why not. */
export type Claimed<R extends { readonly status: string }> =
  | { readonly kind: 'claimed'; readonly record: R }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'not_pending' | 'busy'; readonly status: R['status'] }

export interface CashbackRepository {
  /**
   * One statement: when the user's link is live and the request key unused, debits the points
   * (never below zero, whatever runs concurrently) and creates the cashback with its ledger entry
   * and audit row. A concurrent twin with the same key is found, not duplicated.
   */
  exchange(draft: ExchangeDraft, debit: NewLedgerEntry, audit: AuditEntry): Promise<ExchangeAttempt>
  find(id: MerchantCashbackId): Promise<Cashback | null>
  /** The cashback and its reversals, read together. */
  findWithReversals(id: MerchantCashbackId): Promise<{ cashback: Cashback; reversals: Reversal[] } | null>
  findForUser(id: MerchantCashbackId, userId: string): Promise<Cashback | null>
  list(filter: { userId?: string; status?: CashbackStatus; limit: number; before?: MerchantCashbackId }): Promise<Cashback[]>
  /**
   * Takes the lease for a call that may change PayPay's side (Give / re-send): only one holder at
   * a time, counted in giveAttempts (the claimed record carries the new count).
   */
  claim(id: MerchantCashbackId, status: CashbackStatus, token: string, now: Date, leaseUntil: Date): Promise<Claimed<Cashback>>
  release(id: MerchantCashbackId, token: string, lastError: string | null): Promise<void>
  /**
   * Guarded: applies `event` only while the cashback is still `from`; the refund, the link's
   * extension, the check note, the lease release and the audit row in the same statement.
   */
  transition(id: MerchantCashbackId, from: CashbackStatus, event: CashbackEvent, change: CashbackChange): Promise<CashbackStatus | null>
  noteCheck(id: MerchantCashbackId, at: Date, lastError: string | null): Promise<void>
  /**
   * Cashbacks still in `status` since before `olderThan` (requested: requestedAt; accepted:
   * acceptedAt), least recently checked first; with `checkedBefore`, none checked since then.
   */
  due(status: 'requested' | 'accepted', olderThan: Date, limit: number, checkedBefore?: Date): Promise<Cashback[]>
  /** Grants PayPay has not accepted (still requested) since before `olderThan`, by id after `after`: a cursor over all of them. */
  pendingGrants(olderThan: Date, after: MerchantCashbackId | null, limit: number): Promise<Cashback[]>
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
  /** On succeed: the points credited back, in the same statement. */
  readonly credit?: NewLedgerEntry
  readonly checkedAt?: Date
  readonly release?: LeaseRelease
  readonly audit: AuditEntry
}

export interface ReversalRepository {
  /**
   * One statement: reserves `amount` of the cashback's reversible JPY (never more than was
   * granted, whatever runs concurrently) and creates the reversal with its audit row.
   */
  create(reversal: Reversal, requestKey: string | null, audit: AuditEntry): Promise<ReversalCreated>
  find(id: MerchantCashbackReversalId): Promise<Reversal | null>
  /** What a reversal request decides on, read together: the cashback and an earlier reversal under this request key. */
  loadForReversal(cashbackId: MerchantCashbackId, requestKey: string | null): Promise<{ cashback: Cashback | null; prior: Reversal | null }>
  claim(id: MerchantCashbackReversalId, status: ReversalStatus, token: string, now: Date, leaseUntil: Date): Promise<Claimed<Reversal>>
  release(id: MerchantCashbackReversalId, token: string, lastError: string | null): Promise<void>
  /**
   * Guarded like cashbacks. Succeed releases what was not reversed and credits `credit`; fail
   * releases the whole reservation. All in one statement.
   */
  transition(
    id: MerchantCashbackReversalId,
    from: ReversalStatus,
    event: ReversalEvent,
    change: ReversalChange,
  ): Promise<ReversalStatus | null>
  noteCheck(id: MerchantCashbackReversalId, at: Date, lastError: string | null): Promise<void>
  due(status: 'requested' | 'accepted', olderThan: Date, limit: number, checkedBefore?: Date): Promise<Reversal[]>
}

// ---- history files -----------------------------------------------------------------------------

export interface TransactionFilter {
  readonly from: Date
  readonly to: Date
  readonly cashbackIds?: readonly string[]
  readonly reversalIds?: readonly string[]
}

export interface HistoryRepository {
  /**
   * Cashbacks and reversals requested in [from, to), plus those named by id whatever day they were
   * made, oldest first, read together.
   */
  transactions(filter: TransactionFilter): Promise<HistoryRow[]>
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
  | {
      readonly ok: false
      readonly kind: 'refused' | 'transient'
      readonly code: string
      readonly message: string
      readonly httpStatus: number | null
    }

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
