import type { AuditEntry } from '../../../src/shared/audit.ts'
import { ManualClock } from '../../../src/shared/clock.ts'
import { money } from '../../../src/shared/money.ts'
import type { Gift, GiftId } from '../../../src/gifts/domain/gift.ts'
import type { Supplier, SupplierAccount, SupplierCode } from '../../../src/gifts/domain/supplier.ts'
import type {
  GiftRepository,
  LockoutState,
  NewGift,
  PinHasher,
  PinLockout,
  SupplierAccountRepository,
  SupplierRepository,
} from '../../../src/gifts/ports.ts'
import type { RedeemGiftDeps } from '../../../src/gifts/use-cases/redeem-gift.ts'

/** In-memory ports for unit tests of the gift use cases (the real adapters have integration tests). */
export class MemoryGifts implements GiftRepository {
  readonly rows = new Map<string, Gift>()
  readonly audit: AuditEntry[] = []
  async findById(id: GiftId) {
    return this.rows.get(id) ?? null
  }
  async markUsed(i: { giftId: GiftId; usedAt: Date; supplierCode: SupplierCode; invoiceNo: string; audit: AuditEntry }) {
    const g = this.rows.get(i.giftId)
    if (!g || g.status !== 'unused') return null
    const used: Gift = { ...g, status: 'used', usedAt: i.usedAt, usedSupplierCode: i.supplierCode, usedInvoiceNo: i.invoiceNo }
    this.rows.set(i.giftId, used)
    this.audit.push(i.audit)
    return used
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
  async findByInvoiceNo(inv: string) {
    return this.rows.find((s) => s.supplierInvoiceNo === inv) ?? null
  }
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
  async findByInvoiceNo(inv: string) {
    return this.rows.find((a) => a.supplierAccountInvoiceNo === inv) ?? null
  }
  async listBySupplierCode(code: SupplierCode) {
    return this.rows.filter((a) => a.supplierCode === code)
  }
  async create(a: SupplierAccount) {
    if (this.rows.some((r) => r.supplierAccountInvoiceNo === a.supplierAccountInvoiceNo)) return false
    this.rows.push(a)
    return true
  }
}

/** Reversible "hash" so tests stay fast; the real PBKDF2 hasher has its own tests. */
export const plainPins: PinHasher = {
  hash: async (pin) => `plain:${pin}`,
  verify: async (pin, stored) => stored === `plain:${pin}`,
}

export class MemoryLockout implements PinLockout {
  readonly failures = new Map<string, { count: number; until: number }>()
  constructor(
    private readonly clock: ManualClock,
    readonly limit = 5,
    readonly windowMs = 15 * 60_000,
  ) {}
  async reserve(code: SupplierCode): Promise<LockoutState> {
    const now = this.clock.now().getTime()
    const f = this.failures.get(code)
    if (!f || f.until <= now || f.count < this.limit) return { locked: false }
    return { locked: true, retryAfterSeconds: Math.ceil((f.until - now) / 1000) }
  }
  async settle(code: SupplierCode, correct: boolean) {
    if (correct) return
    const now = this.clock.now().getTime()
    const f = this.failures.get(code)
    if (!f || f.until <= now) this.failures.set(code, { count: 1, until: now + this.windowMs })
    else f.count += 1
  }
}

export function giftWorld(now = new Date('2026-06-01T00:00:00Z')) {
  const clock = new ManualClock(now)
  const deps = {
    gifts: new MemoryGifts(),
    suppliers: new MemorySuppliers(),
    accounts: new MemoryAccounts(),
    pins: plainPins,
    lockout: new MemoryLockout(clock),
    clock,
  } satisfies RedeemGiftDeps
  return { deps, clock }
}
