import type { AuditEntry } from '../../../src/shared/audit.ts'
import { ManualClock } from '../../../src/shared/clock.ts'
import { money } from '../../../src/shared/money.ts'
import type { Defer } from '../../../src/shared/defer.ts'
import type { Gift, GiftId, GiftUse } from '../../../src/gifts/domain/gift.ts'
import type { Supplier, SupplierAccount, SupplierCode } from '../../../src/gifts/domain/supplier.ts'
import type {
  GiftRepository,
  LockoutState,
  NewGift,
  PinAttempt,
  PinLockout,
  PinSecret,
  RedemptionSnapshot,
  RedemptionStore,
  SupplierAccountRepository,
  StoredPin,
  SupplierRepository,
} from '../../../src/gifts/ports.ts'
import type { GiftDeps } from '../../../src/gifts/deps.ts'
import type { RedeemGiftDeps } from '../../../src/gifts/use-cases/redeem-gift.ts'
import { PepperedPinHasher } from '../../../src/gifts/adapters/peppered-pin-hasher.ts'

/** In-memory ports for unit tests of the gift use cases (the real adapters have integration tests). */
export class MemoryGifts implements GiftRepository {
  readonly rows = new Map<string, Gift>()
  readonly audit: AuditEntry[] = []
  async findById(id: GiftId) {
    return this.rows.get(id) ?? null
  }
  async issue(gifts: readonly NewGift[], audit: AuditEntry) {
    const existing = gifts.filter((g) => this.rows.has(g.giftId)).map((g) => g.giftId)
    if (existing.length) return { existing }
    const created = gifts.map(
      (g): Gift => ({
        giftId: g.giftId,
        status: 'unused',
        value: money(g.amount, g.currency),
        validFrom: g.validFrom,
        validUntil: g.validUntil,
        usedAt: null,
        usedSupplierCode: null,
        usedInvoiceNo: null,
        createdAt: new Date(0),
      }),
    )
    for (const g of created) this.rows.set(g.giftId, g)
    this.audit.push(audit)
    return { created }
  }
}

export class MemorySuppliers implements SupplierRepository {
  readonly rows: Supplier[] = []
  async findByCode(code: SupplierCode) {
    return this.rows.find((s) => s.supplierCode === code) ?? null
  }
  async create(s: Supplier) {
    if (this.rows.some((r) => r.supplierCode === s.supplierCode || r.supplierInvoiceNo === s.supplierInvoiceNo)) return false
    this.rows.push(s)
    return true
  }
}

/** A stored account; a null key id is a row still in the old PBKDF2 form. */
export type AccountRow = Omit<SupplierAccount, 'secretKeyId'> & { secretKeyId: string | null }

export class MemoryAccounts implements SupplierAccountRepository {
  readonly rows: AccountRow[] = []
  async create(a: SupplierAccount) {
    if (this.rows.some((r) => r.supplierAccountInvoiceNo === a.supplierAccountInvoiceNo)) return false
    this.rows.push(a)
    return true
  }
}

/** The one-read, one-guarded-write store over the memory tables (the SQL has integration tests). */
export class MemoryRedemptions implements RedemptionStore {
  /** Statements a database would have run, to check the use case's budget. */
  loads = 0
  writes = 0
  constructor(
    private readonly gifts: MemoryGifts,
    private readonly suppliers: MemorySuppliers,
    private readonly accounts: MemoryAccounts,
  ) {}
  async load(giftId: GiftId, invoiceNo: string): Promise<RedemptionSnapshot> {
    this.loads++
    const gift = this.gifts.rows.get(giftId) ?? null
    if (!gift) return { gift: null, supplier: null, pins: [] }
    const code =
      this.suppliers.rows.find((s) => s.supplierInvoiceNo === invoiceNo)?.supplierCode ??
      this.accounts.rows.find((a) => a.supplierAccountInvoiceNo === invoiceNo)?.supplierCode
    const supplier = this.suppliers.rows.find((s) => s.supplierCode === code) ?? null
    const pins = supplier
      ? this.accounts.rows
          .filter((a) => a.supplierCode === supplier.supplierCode)
          .map((a): StoredPin => ({ accountId: a.supplierAccountId, keyId: a.secretKeyId, secret: a.secretHash }))
      : []
    return { gift, supplier, pins }
  }
  upgrades = 0
  async upgradePins(stale: readonly StoredPin[], current: PinSecret) {
    this.upgrades++
    for (const p of stale) {
      const i = this.accounts.rows.findIndex((a) => a.supplierAccountId === p.accountId && a.secretHash === p.secret)
      if (i >= 0) this.accounts.rows[i] = { ...this.accounts.rows[i]!, secretHash: current.secret, secretKeyId: current.keyId }
    }
  }
  async markUsed(i: { giftId: GiftId; use: GiftUse & { supplierCode: SupplierCode }; audit: AuditEntry }) {
    this.writes++
    const g = this.gifts.rows.get(i.giftId)
    if (g?.status !== 'unused') return false
    this.gifts.rows.set(i.giftId, {
      ...g,
      status: 'used',
      usedAt: i.use.usedAt,
      usedSupplierCode: i.use.supplierCode,
      usedInvoiceNo: i.use.invoiceNo,
    })
    this.gifts.audit.push(i.audit)
    return true
  }
}

/** A Defer that holds tasks until the test runs them: "after the answer" made observable. */
export class HeldDefer {
  readonly pending: Array<{ label: string; task: () => Promise<unknown> }> = []
  readonly defer: Defer = (label, task) => void this.pending.push({ label, task })
  async runAll(): Promise<void> {
    for (const p of this.pending.splice(0)) await p.task()
  }
}

/** The real peppered hasher (HMAC is cheap): current pepper `k2`, older `k1`. */
export const PEPPERS = [
  { id: 'k2', secret: 'unit-test-gift-pin-pepper-current-0123456789' },
  { id: 'k1', secret: 'unit-test-gift-pin-pepper-older-0123456789ab' },
]
export const pinHasher = () => new PepperedPinHasher(PEPPERS)

/** Fixed windows per (supplier, caller) and per supplier, like the Redis adapter (which has its own tests). */
export class MemoryLockout implements PinLockout {
  readonly failures = new Map<string, { count: number; until: number }>()
  /** Calls in order, so tests can tell what happened before the answer. */
  readonly log: string[] = []
  constructor(
    private readonly clock: ManualClock,
    readonly perCaller = 5,
    readonly perSupplier = 50,
    readonly windowMs = 15 * 60_000,
  ) {}
  private keys(a: PinAttempt): Array<[string, number, 'caller' | 'supplier']> {
    return [
      [`${a.supplierCode}|${a.caller}`, this.perCaller, 'caller'],
      [a.supplierCode, this.perSupplier, 'supplier'],
    ]
  }
  async reserve(a: PinAttempt): Promise<LockoutState> {
    this.log.push('reserve')
    const now = this.clock.now().getTime()
    for (const [key, limit, scope] of this.keys(a)) {
      const f = this.failures.get(key)
      if (f && f.until > now && f.count >= limit) return { locked: true, scope, retryAfterSeconds: Math.ceil((f.until - now) / 1000) }
    }
    return { locked: false }
  }
  async settle(a: PinAttempt, correct: boolean) {
    this.log.push(`settle:${correct}`)
    if (correct) return
    const now = this.clock.now().getTime()
    for (const [key] of this.keys(a)) {
      const f = this.failures.get(key)
      if (!f || f.until <= now) this.failures.set(key, { count: 1, until: now + this.windowMs })
      else f.count += 1
    }
  }
}

export function giftWorld(now = new Date('2026-06-01T00:00:00Z')) {
  const clock = new ManualClock(now)
  const gifts = new MemoryGifts()
  const suppliers = new MemorySuppliers()
  const accounts = new MemoryAccounts()
  const deferred = new HeldDefer()
  const deps = {
    gifts,
    redemptions: new MemoryRedemptions(gifts, suppliers, accounts),
    suppliers,
    accounts,
    pins: pinHasher(),
    lockout: new MemoryLockout(clock),
    clock,
    defer: deferred.defer,
  } satisfies GiftDeps & RedeemGiftDeps
  return { deps, clock, deferred }
}
