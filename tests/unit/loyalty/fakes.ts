import { ManualClock } from '../../../src/shared/clock.ts'
import type { JobMessage, JobQueue } from '../../../src/shared/jobs.ts'
import type { Logger } from '../../../src/shared/logger.ts'
import type { ObjectStore, StoredObject } from '../../../src/shared/object-store.ts'
import {
  cashbackLifecycle,
  type Cashback,
  type CashbackEvent,
  type CashbackStatus,
  type MerchantCashbackId,
} from '../../../src/loyalty/domain/cashback.ts'
import type { HistoryFile, HistoryRow, HistorySource } from '../../../src/loyalty/domain/history.ts'
import type { LedgerApplied, LedgerEntry, LedgerEntryId, NewLedgerEntry } from '../../../src/loyalty/domain/ledger.ts'
import { isLive, type LinkSession, type LinkStatus, type PayPayLink, type ResponseTokenClaims } from '../../../src/loyalty/domain/link.ts'
import {
  reversalLifecycle,
  type MerchantCashbackReversalId,
  type Reversal,
  type ReversalEvent,
  type ReversalStatus,
} from '../../../src/loyalty/domain/reversal.ts'
import type {
  AuthorizationStatus,
  CashbackChange,
  CashbackDetails,
  CashbackRepository,
  Claimed,
  ExchangeAttempt,
  ExchangeDraft,
  HistoryRepository,
  LinkRepository,
  PayPayGateway,
  PayPayResult,
  PointsLedger,
  ReversalChange,
  ReversalCreated,
  ReversalDetails,
  ReversalRepository,
} from '../../../src/loyalty/ports.ts'
import type { LoyaltyDeps } from '../../../src/loyalty/deps.ts'

/** In-memory ports for the loyalty use cases (the real adapters are covered by integration tests). */
export class MemoryLedger implements PointsLedger {
  readonly entries: LedgerEntry[] = []
  readonly balances = new Map<string, number>()
  private n = 0
  async apply(e: NewLedgerEntry): Promise<LedgerApplied> {
    const existing = this.entries.find((x) => x.idempotencyKey === e.idempotencyKey)
    if (existing) return { kind: 'replayed', entry: existing, balance: this.balances.get(e.userId) ?? 0 }
    const balance = (this.balances.get(e.userId) ?? 0) + e.points
    if (balance < 0) return { kind: 'insufficient', balance: this.balances.get(e.userId) ?? 0 }
    this.balances.set(e.userId, balance)
    const entry: LedgerEntry = { ...e, id: `ple_${String(++this.n).padStart(26, '0')}` as LedgerEntryId, balanceAfter: balance }
    this.entries.push(entry)
    return { kind: 'applied', entry, balance }
  }
  /** For assertions (not a port method). */
  async balance(userId: string) {
    return this.balances.get(userId) ?? 0
  }
  async view(userId: string) {
    return { balance: this.balances.get(userId) ?? 0, entries: this.entries.filter((e) => e.userId === userId).reverse() }
  }
  async balanceAndLink(userId: string) {
    return { balance: this.balances.get(userId) ?? 0, link: this.links?.links.get(userId) ?? null }
  }
  /** Set by loyaltyDeps: the exchange page reads the link with the balance. */
  links: MemoryLinks | null = null
  sum(userId: string) {
    return this.entries.filter((e) => e.userId === userId).reduce((s, e) => s + e.points, 0)
  }
}

export class MemoryLinks implements LinkRepository {
  readonly links = new Map<string, PayPayLink>()
  readonly sessions = new Map<string, LinkSession>()
  async findLink(userId: string) {
    return this.links.get(userId) ?? null
  }
  async createSession(s: LinkSession) {
    this.sessions.set(s.id, s)
  }
  async setSessionLinkUrl(id: string, linkUrl: string) {
    this.sessions.set(id, { ...this.sessions.get(id)!, linkUrl })
  }
  async findSession(id: string) {
    return this.sessions.get(id) ?? null
  }
  async closeSession(id: string, to: 'declined' | 'failed') {
    const s = this.sessions.get(id)
    if (s?.status !== 'pending') return false
    this.sessions.set(id, { ...s, status: to })
    return true
  }
  async completeSession(id: string, link: PayPayLink) {
    const s = this.sessions.get(id)
    if (s?.status !== 'pending') return false
    this.sessions.set(id, { ...s, status: 'linked', userAuthorizationId: link.userAuthorizationId })
    this.links.set(link.userId, link)
    return true
  }
  async setLinkStatus(userId: string, uaid: string, status: LinkStatus, at: Date, _audit?: unknown, onlyFrom?: LinkStatus) {
    const l = this.links.get(userId)
    if (l && l.userAuthorizationId === uaid && (!onlyFrom || l.status === onlyFrom)) this.links.set(userId, { ...l, status, updatedAt: at })
  }
  async extendLink(uaid: string, until: Date) {
    for (const [k, l] of this.links)
      if (l.userAuthorizationId === uaid && l.status === 'linked' && (!l.expiresAt || l.expiresAt < until))
        this.links.set(k, { ...l, expiresAt: until })
  }
}

export class MemoryCashbacks implements CashbackRepository {
  readonly rows = new Map<string, Cashback & { lease?: { token: string; until: Date }; requestKey?: string | null }>()
  constructor(
    private readonly ledger: MemoryLedger,
    private readonly links: MemoryLinks,
  ) {}
  async exchange(d: ExchangeDraft, debit: NewLedgerEntry): Promise<ExchangeAttempt> {
    const link = this.links.links.get(d.userId) ?? null
    const prior =
      d.requestKey === null ? undefined : [...this.rows.values()].find((c) => c.userId === d.userId && c.requestKey === d.requestKey)
    const balance = this.ledger.balances.get(d.userId) ?? 0
    const none = { link, prior: prior ?? null, created: null, balance }
    if (!isLive(link, d.at) || prior) return none
    const applied = await this.ledger.apply(debit)
    if (applied.kind !== 'applied') return none
    const c: Cashback = {
      merchantCashbackId: d.merchantCashbackId,
      userId: d.userId,
      userAuthorizationId: link.userAuthorizationId,
      points: d.points,
      amount: d.amount,
      currency: 'JPY',
      status: 'requested',
      giveAttempts: 0,
      lastError: null,
      failureCode: null,
      paypayCashbackId: null,
      reversalReserved: 0,
      reversedAmount: 0,
      requestedAt: d.at,
      acceptedAt: null,
      completedAt: null,
      updatedAt: d.at,
    }
    this.rows.set(c.merchantCashbackId, { ...c, requestKey: d.requestKey })
    return { ...none, created: c }
  }
  async findWithReversals(): Promise<never> {
    throw new Error('not used by the use cases')
  }
  async find(id: MerchantCashbackId) {
    return this.rows.get(id) ?? null
  }
  async findForUser(id: MerchantCashbackId, userId: string) {
    const c = this.rows.get(id)
    return c && c.userId === userId ? c : null
  }
  async list() {
    return [...this.rows.values()]
  }
  async claim(id: MerchantCashbackId, status: CashbackStatus, token: string, now: Date, until: Date): Promise<Claimed<Cashback>> {
    const c = this.rows.get(id)
    if (!c) return { kind: 'not_found' }
    if (c.status !== status) return { kind: 'not_pending', status: c.status }
    if (c.lease && c.lease.until > now) return { kind: 'busy', status: c.status }
    const next = { ...c, giveAttempts: c.giveAttempts + 1, lease: { token, until } }
    this.rows.set(id, next)
    return { kind: 'claimed', record: next }
  }
  async release(id: MerchantCashbackId, token: string, lastError: string | null) {
    const c = this.rows.get(id)
    if (c?.lease?.token === token) this.rows.set(id, { ...c, lease: undefined, lastError })
  }
  async transition(id: MerchantCashbackId, from: CashbackStatus, event: CashbackEvent, change: CashbackChange) {
    const c = this.rows.get(id)
    const to = cashbackLifecycle.transition(from, event)
    if (!c || c.status !== from || !to.ok) return null
    // Guard and write before any await, as the database's guarded update does atomically.
    const freed = change.release && c.lease?.token === change.release.token
    this.rows.set(id, {
      ...c,
      status: to.value,
      failureCode: change.failureCode ?? c.failureCode,
      acceptedAt: c.acceptedAt ?? change.at,
      ...(freed && { lease: undefined, lastError: change.release!.lastError }),
    })
    if (change.checkedAt) this.checkedAt.set(id, change.checkedAt)
    if (change.refund) await this.ledger.apply(change.refund)
    if (change.extendLinkUntil) await this.links.extendLink(c.userAuthorizationId, change.extendLinkUntil)
    return to.value
  }
  readonly checkedAt = new Map<string, Date>()
  async noteCheck(id: MerchantCashbackId, at: Date) {
    this.checkedAt.set(id, at)
  }
  async due(status: 'requested' | 'accepted', olderThan: Date, limit = 100, checkedBefore?: Date) {
    return [...this.rows.values()]
      .filter((c) => c.status === status && (status === 'requested' ? c.requestedAt : (c.acceptedAt ?? c.requestedAt)) <= olderThan)
      .filter(
        (c) => !checkedBefore || !this.checkedAt.has(c.merchantCashbackId) || this.checkedAt.get(c.merchantCashbackId)! < checkedBefore,
      )
      .slice(0, limit)
  }
  async pendingGrants(olderThan: Date, after: MerchantCashbackId | null, limit: number) {
    return [...this.rows.values()]
      .filter((c) => c.status === 'requested' && c.requestedAt <= olderThan && (after === null || c.merchantCashbackId > after))
      .sort((a, b) => (a.merchantCashbackId < b.merchantCashbackId ? -1 : 1))
      .slice(0, limit)
  }
}

export class MemoryReversals implements ReversalRepository {
  readonly rows = new Map<string, Reversal & { lease?: { token: string; until: Date } }>()
  constructor(
    private readonly ledger: MemoryLedger,
    private readonly cashbacks: MemoryCashbacks,
  ) {}
  async create(r: Reversal): Promise<ReversalCreated> {
    const c = this.cashbacks.rows.get(r.merchantCashbackId)
    if (c?.status !== 'succeeded' || c.reversalReserved + r.amount > c.amount) {
      return { kind: 'not_reversible', status: c?.status ?? null, reversible: c ? c.amount - c.reversalReserved : 0 }
    }
    this.cashbacks.rows.set(c.merchantCashbackId, { ...c, reversalReserved: c.reversalReserved + r.amount })
    this.rows.set(r.merchantCashbackReversalId, r)
    return { kind: 'created', reversal: r }
  }
  async find(id: MerchantCashbackReversalId) {
    return this.rows.get(id) ?? null
  }
  async loadForReversal(id: MerchantCashbackId) {
    return { cashback: this.cashbacks.rows.get(id) ?? null, prior: null }
  }
  async claim(id: MerchantCashbackReversalId, status: ReversalStatus, token: string, now: Date, until: Date): Promise<Claimed<Reversal>> {
    const r = this.rows.get(id)
    if (!r) return { kind: 'not_found' }
    if (r.status !== status) return { kind: 'not_pending', status: r.status }
    if (r.lease && r.lease.until > now) return { kind: 'busy', status: r.status }
    const next = { ...r, attempts: r.attempts + 1, lease: { token, until } }
    this.rows.set(id, next)
    return { kind: 'claimed', record: next }
  }
  async release(id: MerchantCashbackReversalId, token: string) {
    const r = this.rows.get(id)
    if (r?.lease?.token === token) this.rows.set(id, { ...r, lease: undefined })
  }
  async transition(id: MerchantCashbackReversalId, from: ReversalStatus, event: ReversalEvent, change: ReversalChange) {
    const r = this.rows.get(id)
    const to = reversalLifecycle.transition(from, event)
    if (!r || r.status !== from || !to.ok) return null
    const reversed = to.value === 'succeeded' ? Math.min(r.amount, change.reversedAmount ?? r.amount) : null
    const c = this.cashbacks.rows.get(r.merchantCashbackId)!
    if (to.value === 'succeeded')
      this.cashbacks.rows.set(c.merchantCashbackId, {
        ...c,
        reversalReserved: c.reversalReserved - (r.amount - reversed!),
        reversedAmount: c.reversedAmount + reversed!,
      })
    if (to.value === 'failed') this.cashbacks.rows.set(c.merchantCashbackId, { ...c, reversalReserved: c.reversalReserved - r.amount })
    const freed = change.release && r.lease?.token === change.release.token
    this.rows.set(id, { ...r, status: to.value, reversedAmount: reversed, ...(freed && { lease: undefined }) })
    if (change.credit) await this.ledger.apply(change.credit)
    return to.value
  }
  async noteCheck() {}
  async due(status: 'requested' | 'accepted') {
    return [...this.rows.values()].filter((r) => r.status === status)
  }
}

export class MemoryHistory implements HistoryRepository {
  rows: HistoryRow[] = []
  readonly files = new Map<string, HistoryFile>()
  async transactions() {
    return this.rows
  }
  async upsertFile(f: HistoryFile) {
    const existing = [...this.files.values()].find((x) => x.source === f.source && x.businessDate === f.businessDate)
    const saved = existing ? { ...existing, rowCount: f.rowCount, sha256: f.sha256, updatedAt: f.updatedAt } : f
    this.files.set(saved.id, saved)
    return saved
  }
  async findFile(id: string) {
    return this.files.get(id) ?? null
  }
  async findFileFor(source: HistorySource, businessDate: string) {
    return [...this.files.values()].find((x) => x.source === source && x.businessDate === businessDate) ?? null
  }
  async listFiles() {
    return { files: [...this.files.values()], total: this.files.size }
  }
}

export class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, StoredObject>()
  async put(key: string, body: string, contentType: string) {
    this.objects.set(key, { key, body, contentType, size: body.length })
  }
  async get(key: string) {
    return this.objects.get(key) ?? null
  }
  async list(prefix: string) {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix))
  }
}

type Answer<T> = PayPayResult<T> | ((...args: any[]) => PayPayResult<T>)
const ok = <T>(data: T, code = 'SUCCESS'): PayPayResult<T> => ({ ok: true, code, data })
export const refused = (code: string): PayPayResult<never> => ({ ok: false, kind: 'refused', code, message: code, httpStatus: 400 })
export const transient = (code: string): PayPayResult<never> => ({ ok: false, kind: 'transient', code, message: code, httpStatus: 500 })

/** A scriptable PayPay: queue answers per operation; every call is recorded with its ids. */
export class FakePayPay implements PayPayGateway {
  readonly calls: Array<{ op: string; id?: string }> = []
  readonly answers: Record<string, Array<Answer<any>>> = {}
  claims: ResponseTokenClaims | null = null
  details = new Map<string, CashbackDetails>()
  reversalDetails = new Map<string, ReversalDetails>()
  next(op: string, ...a: Array<Answer<any>>) {
    ;(this.answers[op] ??= []).push(...a)
  }
  private take<T>(op: string, fallback: () => PayPayResult<T>, ...args: any[]): PayPayResult<T> {
    const a = this.answers[op]?.shift()
    if (!a) return fallback()
    return typeof a === 'function' ? a(...args) : a
  }
  async createLinkSession(i: { referenceId: string }) {
    this.calls.push({ op: 'qr', id: i.referenceId })
    return this.take('qr', () => ok({ linkUrl: `https://paypay.test/link/${i.referenceId}` }))
  }
  async verifyResponseToken() {
    return this.claims ? { ok: true as const, claims: this.claims } : { ok: false as const, reason: 'bad signature' }
  }
  async authorizationStatus() {
    return this.take<AuthorizationStatus>('auth', () => ok({ status: 'ACTIVE', expiresAt: new Date('2099-01-01T00:00:00Z') }))
  }
  async unlink() {
    return this.take<null>('unlink', () => ok(null))
  }
  async giveCashback(i: { merchantCashbackId: string; amount: number }) {
    this.calls.push({ op: 'give', id: i.merchantCashbackId })
    return this.take<null>('give', () => {
      if (!this.details.has(i.merchantCashbackId))
        this.details.set(i.merchantCashbackId, { status: 'ACCEPTED', amount: i.amount, cashbackId: 'cb1', failureCode: null })
      return ok(null, 'REQUEST_ACCEPTED')
    })
  }
  async checkCashback(id: string) {
    this.calls.push({ op: 'check', id })
    return this.take<CashbackDetails>('check', () => {
      const d = this.details.get(id)
      return d ? ok(d) : refused('TRANSACTION_NOT_FOUND')
    })
  }
  async reverseCashback(i: { merchantCashbackReversalId: string; amount: number }) {
    this.calls.push({ op: 'reverse', id: i.merchantCashbackReversalId })
    return this.take<null>('reverse', () => {
      this.reversalDetails.set(i.merchantCashbackReversalId, {
        status: 'ACCEPTED',
        amount: i.amount,
        cashbackReversalId: 'r1',
        failureCode: null,
      })
      return ok(null, 'REQUEST_ACCEPTED')
    })
  }
  async checkReversal(id: string) {
    this.calls.push({ op: 'check_reversal', id })
    return this.take<ReversalDetails>('check_reversal', () => {
      const d = this.reversalDetails.get(id)
      return d ? ok(d) : refused('TRANSACTION_NOT_FOUND')
    })
  }
}

export class RecordingQueue implements JobQueue {
  readonly published: JobMessage[] = []
  fail = false
  async publish(job: JobMessage) {
    if (this.fail) throw new Error('queue down')
    this.published.push(job)
    return { messageId: `msg_${this.published.length}` }
  }
  async publishMany(jobs: readonly JobMessage[]) {
    if (this.fail) throw new Error('queue down')
    this.published.push(...jobs)
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger }

export function loyaltyDeps(over: { paypay?: FakePayPay | null } = {}) {
  const ledger = new MemoryLedger()
  const links = new MemoryLinks()
  ledger.links = links
  const cashbacks = new MemoryCashbacks(ledger, links)
  const deps = {
    ledger,
    links,
    cashbacks,
    reversals: new MemoryReversals(ledger, cashbacks),
    history: new MemoryHistory(),
    paypay: over.paypay === undefined ? new FakePayPay() : over.paypay,
    queue: new RecordingQueue(),
    files: new MemoryStore(),
    clock: new ManualClock(new Date('2026-03-01T00:00:00Z')),
    logger: silentLogger,
    settings: {
      linkRedirectUrl: 'https://shop.test/paypay/return',
      leaseMs: 60_000,
      checkAfterMs: 120_000,
      redriveAfterMs: 300_000,
      notFoundResendAfterMs: 60_000,
    },
  }
  return deps satisfies LoyaltyDeps
}

export async function linked(deps: ReturnType<typeof loyaltyDeps>, userId: string, points: number) {
  deps.links.links.set(userId, {
    userId,
    userAuthorizationId: `ua-${userId}`,
    status: 'linked',
    profileIdentifier: null,
    expiresAt: new Date('2027-01-01T00:00:00Z'),
    linkedAt: new Date(0),
    updatedAt: new Date(0),
  })
  if (points > 0) {
    await deps.ledger.apply({
      userId,
      kind: 'earn',
      points,
      idempotencyKey: `seed:${userId}`,
      referenceType: null,
      referenceId: null,
      reason: null,
      actor: 't',
      requestId: 't',
      at: new Date(0),
    })
  }
}
