import type { Auction, AuctionId, Award, AwardId } from '../../../src/bookings/domain/auction.ts'
import { awardLifecycle } from '../../../src/bookings/domain/auction.ts'
import { sessionLifecycle, type PaymentSession } from '../../../src/bookings/domain/payment-session.ts'
import type { Property, PropertyId } from '../../../src/bookings/domain/property.ts'
import type { Refund } from '../../../src/bookings/domain/refund.ts'
import type {
  AuctionRepository,
  BookingRepository,
  CallbackCheck,
  CreateOrderAnswer,
  GatewayObservation,
  GatewayOrder,
  PaymentGateway,
  PaymentSessionRepository,
  PropertyRepository,
  RefundRepository,
} from '../../../src/bookings/ports.ts'
import type { BookingDeps } from '../../../src/bookings/deps.ts'
import type { UserEvent } from '../../../src/realtime/domain/events.ts'
import type { AuditEntry } from '../../../src/shared/audit.ts'
import { ManualClock } from '../../../src/shared/clock.ts'
import type { JobMessage } from '../../../src/shared/jobs.ts'

const notUsed = () => {
  throw new Error('not used by these tests')
}

/** In-memory ports for unit tests of the payment use cases (the real adapters have integration tests). */
export class MemoryStore {
  readonly properties = new Map<string, Property>()
  readonly auctions = new Map<string, Auction>()
  readonly awards = new Map<string, Award>()
  readonly sessions = new Map<string, PaymentSession>()
  readonly refunds = new Map<string, Refund>()
  readonly callbacks = new Set<string>()
  readonly audit: AuditEntry[] = []

  readonly propertyRepo: PropertyRepository = {
    create: async (p) => void this.properties.set(p.id, p),
    find: async (id) => this.properties.get(id) ?? null,
    claimedNights: async () => [],
    calendar: async () => null,
  }

  readonly auctionRepo: AuctionRepository = {
    create: async (a) => void this.auctions.set(a.id, a),
    find: async (id) => this.auctions.get(id) ?? null,
    recordResults: notUsed,
    findAward: async (id) => this.awards.get(id) ?? null,
    latestClaim: async (auctionId, userId) =>
      [...this.awards.values()].find((a) => a.auctionId === auctionId && a.userId === userId) ?? null,
    listForUser: async () => [],
    transition: async (id, from, event) => {
      const a = this.awards.get(id)
      const to = awardLifecycle.transition(from, event)
      if (!a || a.status !== from || !to.ok) return null
      const moved = { ...a, status: to.value }
      this.awards.set(id, moved)
      return moved
    },
    lapseUnpaid: notUsed,
    nextOffer: notUsed,
    commitOffer: notUsed,
    findOverdue: async () => [],
  }

  readonly sessionRepo: PaymentSessionRepository = {
    open: async (s, audit) => {
      const live = [...this.sessions.values()].find((x) => x.awardId === s.awardId && ['CREATED', 'PENDING', 'PAID'].includes(x.status))
      if (live) return { session: live, created: false }
      if (this.awards.get(s.awardId)?.status !== 'AWARDED') return { awardGone: true }
      this.sessions.set(s.id, s)
      this.audit.push(audit)
      return { session: s, created: true }
    },
    find: async (id) => this.sessions.get(id) ?? null,
    findByAppTransId: async (id) => [...this.sessions.values()].find((s) => s.appTransId === id) ?? null,
    findByTransactionId: async (id) => [...this.sessions.values()].find((s) => s.transactionId === id) ?? null,
    findLive: async (awardId) =>
      [...this.sessions.values()].find((x) => x.awardId === awardId && ['CREATED', 'PENDING', 'PAID'].includes(x.status)) ?? null,
    transition: async (id, from, event, patch, audit, refund) => {
      const s = this.sessions.get(id)
      const to = sessionLifecycle.transition(from, event)
      if (!s || s.status !== from || !to.ok) return null
      const moved: PaymentSession = { ...s, ...patch, status: to.value, updatedAt: audit.at }
      this.sessions.set(id, moved)
      if (event === 'pay') {
        const a = this.awards.get(s.awardId)
        if (a?.status === 'AWARDED') this.awards.set(a.id, { ...a, status: 'PAID' })
      }
      if (refund && ![...this.refunds.values()].some((r) => r.paymentSessionId === refund.paymentSessionId))
        this.refunds.set(refund.id, refund)
      this.audit.push(audit)
      return moved
    },
    receiveCallback: async (appTransId, tx) => {
      const session = [...this.sessions.values()].find((s) => s.appTransId === appTransId)
      if (!session) return null
      const key = `${appTransId}|${tx}`
      const first = !this.callbacks.has(key)
      this.callbacks.add(key)
      return { session, first }
    },
    findToReconcile: async (now, openedBefore) =>
      [...this.sessions.values()].filter(
        (s) => ['CREATED', 'PENDING'].includes(s.status) && (s.createdAt < openedBefore || s.expiresAt <= now),
      ),
    findPaidWithoutBooking: async () => [],
  }

  readonly refundRepo: RefundRepository = {
    find: async (id) => this.refunds.get(id) ?? null,
    findForSession: async (sid) => [...this.refunds.values()].find((r) => r.paymentSessionId === sid) ?? null,
    request: async (r, audit) => {
      const existing = [...this.refunds.values()].find((x) => x.paymentSessionId === r.paymentSessionId)
      if (existing) return existing
      this.refunds.set(r.id, r)
      this.audit.push(audit)
      return r
    },
    update: notUsed,
    findOpen: async () => [],
  }
}

/** A scripted ZaloPay: records every call, answers what the test set. */
export class FakeGateway implements PaymentGateway {
  readonly appId = 2553
  readonly orders: GatewayOrder[] = []
  queries = 0
  nextCreate: CreateOrderAnswer | Error = { ok: true, orderUrl: 'https://zp.test/pay/1', zpTransToken: 'tok' }
  observation: GatewayObservation = { status: 'pending' }
  callback: CallbackCheck = { ok: false, reason: 'mac' }

  async createOrder(o: GatewayOrder): Promise<CreateOrderAnswer> {
    this.orders.push(o)
    if (this.nextCreate instanceof Error) throw this.nextCreate
    return this.nextCreate
  }
  async queryOrder(): Promise<GatewayObservation> {
    this.queries++
    return this.observation
  }
  async verifyCallback(): Promise<CallbackCheck> {
    return this.callback
  }
  refund = notUsed
  queryRefund = notUsed
}

export function fixture() {
  const clock = new ManualClock(new Date('2030-05-01T03:00:00Z'))
  const store = new MemoryStore()
  const gateway = new FakeGateway()
  const pushed: Array<{ event: UserEvent; key?: string }> = []
  const jobs: JobMessage[] = []
  const property: Property = {
    id: 'prop_1' as PropertyId,
    name: 'Villa',
    hostId: 'host',
    maxGuests: 4,
    nightlyRate: 1,
    currency: 'VND',
    createdAt: clock.now(),
  }
  const auction: Auction = {
    id: 'auc_1' as AuctionId,
    propertyId: property.id,
    nights: ['2030-06-01', '2030-06-02'],
    status: 'CLOSED',
    endsAt: clock.now(),
    createdAt: clock.now(),
  }
  const award: Award = {
    id: 'awd_1' as AwardId,
    auctionId: auction.id,
    rootAwardId: 'awd_1' as AwardId,
    kind: 'WINNER',
    userId: 'winner',
    nights: auction.nights,
    amount: 2_000_000,
    currency: 'VND',
    status: 'AWARDED',
    paymentDeadline: new Date(clock.now().getTime() + 3600_000),
    responseDeadline: null,
    createdAt: clock.now(),
    updatedAt: clock.now(),
  }
  store.properties.set(property.id, property)
  store.auctions.set(auction.id, auction)
  store.awards.set(award.id, award)
  const seen = new Set<string>()
  const deps: BookingDeps = {
    properties: store.propertyRepo,
    auctions: store.auctionRepo,
    sessions: store.sessionRepo,
    bookings: {} as BookingRepository,
    refunds: store.refundRepo,
    gateway,
    events: {
      publish: async (event, opts) => {
        if (opts?.key && seen.has(opts.key)) return { seq: 0, duplicate: true }
        if (opts?.key) seen.add(opts.key)
        pushed.push({ event, ...(opts?.key && { key: opts.key }) })
        return { seq: pushed.length, duplicate: false }
      },
    },
    queue: { publish: async (j) => (jobs.push(j), { messageId: `m${jobs.length}` }), publishMany: async (js) => void jobs.push(...js) },
    mailer: { send: async () => {} },
    clock,
    logger: {
      debug() {},
      info() {},
      warn() {},
      error() {},
      child() {
        return this
      },
    },
    settings: {
      callbackUrl: 'https://api.test/cb',
      frontendBaseUrl: 'https://fe.test',
      sessionTtlMs: 15 * 60_000,
      reconcileAfterMs: 60_000,
    },
    random: (n) => new Uint8Array(n),
  }
  return { clock, store, gateway, pushed, jobs, deps, award, auction }
}
