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
  PinHasher,
  PinLockout,
  RedemptionSnapshot,
  RedemptionStore,
  SupplierAccountRepository,
  SupplierRepository,
} from '../../../src/gifts/ports.ts'
import type { GiftDeps } from '../../../src/gifts/use-cases/gift-deps.ts'
import type { RedeemGiftDeps } from '../../../src/gifts/use-cases/redeem-gift.ts'

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

export class MemoryAccounts implements SupplierAccountRepository {
  readonly rows: SupplierAccount[] = []
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
    if (!gift) return { gift: null, supplier: null, pinHashes: [] }
    const code =
      this.suppliers.rows.find((s) => s.supplierInvoiceNo === invoiceNo)?.supplierCode ??
      this.accounts.rows.find((a) => a.supplierAccountInvoiceNo === invoiceNo)?.supplierCode
    const supplier = this.suppliers.rows.find((s) => s.supplierCode === code) ?? null
    const pinHashes = supplier ? this.accounts.rows.filter((a) => a.supplierCode === supplier.supplierCode).map((a) => a.secretHash) : []
    return { gift, supplier, pinHashes }
  }
  async markUsed(i: { giftId: GiftId; use: GiftUse & { supplierCode: SupplierCode }; audit: AuditEntry }) {
    this.writes++
    const g = this.gifts.rows.get(i.giftId)
    if (!g || g.status !== 'unused') return false
    this.gifts.rows.set(i.giftId, { ...g, status: 'used', usedAt: i.use.usedAt, usedSupplierCode: i.use.supplierCode, usedInvoiceNo: i.use.invoiceNo })
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

/** Reversible "hash" so tests stay fast; the real PBKDF2 hasher has its own tests. */
export const plainPins: PinHasher = {
  hash: async (pin) => `plain:${pin}`,
  verify: async (pin, stored) => stored === `plain:${pin}`,
}

export class MemoryLockout implements PinLockout {
  readonly failures = new Map<string, { count: number; until: number }>()
  /** Calls in order, so tests can tell what happened before the answer. */
  readonly log: string[] = []
  constructor(
    private readonly clock: ManualClock,
    readonly limit = 5,
    readonly windowMs = 15 * 60_000,
  ) {}
  async reserve(code: SupplierCode): Promise<LockoutState> {
    this.log.push('reserve')
    const now = this.clock.now().getTime()
    const f = this.failures.get(code)
    if (!f || f.until <= now || f.count < this.limit) return { locked: false }
    return { locked: true, retryAfterSeconds: Math.ceil((f.until - now) / 1000) }
  }
  async settle(code: SupplierCode, correct: boolean) {
    this.log.push(`settle:${correct}`)
    if (correct) return
    const now = this.clock.now().getTime()
    const f = this.failures.get(code)
    if (!f || f.until <= now) this.failures.set(code, { count: 1, until: now + this.windowMs })
    else f.count += 1
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
    pins: plainPins,
    lockout: new MemoryLockout(clock),
    clock,
    defer: deferred.defer,
  } satisfies GiftDeps & RedeemGiftDeps
  return { deps, clock, deferred }
}
