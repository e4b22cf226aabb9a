/**
 * Loads demo data through the same use cases the API uses (so PINs are hashed exactly as in
 * production, with GIFT_PIN_PEPPER or the local stack's dev pepper) and prints what it created. Running it again reports what already exists.
 */
import { DrizzleGiftRepository } from '../../src/gifts/adapters/drizzle-gift-repository.ts'
import { DrizzleRedemptionStore } from '../../src/gifts/adapters/drizzle-redemption-store.ts'
import { DrizzleSupplierAccountRepository, DrizzleSupplierRepository } from '../../src/gifts/adapters/drizzle-supplier-repositories.ts'
import type { SupplierCode } from '../../src/gifts/domain/supplier.ts'
import { issueGifts } from '../../src/gifts/use-cases/issue-gifts.ts'
import { redeemGift } from '../../src/gifts/use-cases/redeem-gift.ts'
import type { GiftId } from '../../src/gifts/domain/gift.ts'
import { createSupplier, createSupplierAccount } from '../../src/gifts/use-cases/register-supplier.ts'
import { Pbkdf2Hasher } from '../../src/platform/crypto/pbkdf2-hasher.ts'
import { connectDb } from '../../src/platform/db.ts'
import { systemClock } from '../../src/shared/clock.ts'
import { DrizzleCatalogRepository } from '../../src/catalog/adapters/drizzle-catalog-repository.ts'
import { createProduct } from '../../src/catalog/use-cases/create-product.ts'
import { DrizzleUserRepository } from '../../src/identity/adapters/drizzle-user-repository.ts'
import { registerUser } from '../../src/identity/use-cases/register-user.ts'
import { databaseUrl } from './database-url.ts'
import { devGiftPinPepper, pinHasherFromEnv } from '../gifts-import/pepper.ts'

export const DEMO = {
  suppliers: [
    { code: 'SUP-TOKYO', name: 'Tokyo Travel Shop', invoiceNo: 'INV-TOKYO-001' },
    { code: 'SUP-OSAKA', name: 'Osaka Souvenirs', invoiceNo: 'INV-OSAKA-001' },
  ],
  accounts: [
    { supplierCode: 'SUP-TOKYO', invoiceNo: 'ACC-TOKYO-SHINJUKU', name: 'Shinjuku counter', pin: '1234' },
    { supplierCode: 'SUP-TOKYO', invoiceNo: 'ACC-TOKYO-SHIBUYA', name: 'Shibuya counter', pin: '5678' },
    { supplierCode: 'SUP-OSAKA', invoiceNo: 'ACC-OSAKA-NAMBA', name: 'Namba counter', pin: '4321' },
  ],
  user: { email: 'demo@example.test', password: 'demo-password-123' },
  products: [
    {
      name: 'Travel adapter',
      variants: [
        { sku: 'DEMO-ADAPTER-EU', name: 'EU plug', priceAmount: 1500000, currency: 'NGN', stock: 25 },
        { sku: 'DEMO-ADAPTER-UK', name: 'UK plug', priceAmount: 1500000, currency: 'NGN', stock: 3 },
      ],
    },
    { name: 'Packing cubes', variants: [{ sku: 'DEMO-CUBES-SET', name: 'Set of 4', priceAmount: 900000, currency: 'NGN', stock: 10 }] },
  ],
  gifts: {
    unused: ['DEMO-GIFT-0001', 'DEMO-GIFT-0002', 'DEMO-GIFT-0003', 'DEMO-GIFT-0004', 'DEMO-GIFT-0005'],
    used: 'DEMO-GIFT-USED',
    expired: 'DEMO-GIFT-EXPIRED',
    future: 'DEMO-GIFT-FUTURE',
  },
} as const

type Line = { what: string; key: string; result: 'created' | 'exists' | 'skipped'; note?: string }

export async function seed(url: string): Promise<Line[]> {
  const handle = connectDb(url, { max: 2 })
  const clock = systemClock
  const deps = {
    gifts: new DrizzleGiftRepository(handle.db),
    redemptions: new DrizzleRedemptionStore(handle.db),
    suppliers: new DrizzleSupplierRepository(handle.db),
    accounts: new DrizzleSupplierAccountRepository(handle.db),
    // The Worker's pepper (npm run dev passes the same value): GIFT_PIN_PEPPER, else the dev one.
    pins: pinHasherFromEnv(devGiftPinPepper()),
    clock,
    // Seeding never touches the lockout; the redemption below uses a known-good PIN.
    lockout: { reserve: async () => ({ locked: false as const }), settle: async () => {} },
    defer: () => {},
  }
  const actor = { actor: 'seed', requestId: 'seed' }
  const lines: Line[] = []
  try {
    for (const s of DEMO.suppliers) {
      const r = await createSupplier(deps, {
        supplierCode: s.code as SupplierCode,
        supplierName: s.name,
        supplierInvoiceNo: s.invoiceNo,
        ...actor,
      })
      lines.push({ what: 'supplier', key: `${s.code} (invoice ${s.invoiceNo})`, result: r.ok ? 'created' : 'exists' })
    }
    for (const a of DEMO.accounts) {
      const r = await createSupplierAccount(deps, {
        supplierCode: a.supplierCode as SupplierCode,
        supplierAccountInvoiceNo: a.invoiceNo,
        supplierAccountName: a.name,
        pin: a.pin,
        ...actor,
      })
      lines.push({ what: 'account', key: `${a.invoiceNo} of ${a.supplierCode}`, result: r.ok ? 'created' : 'exists', note: `PIN ${a.pin}` })
    }
    const day = 86_400_000
    const now = Date.now()
    const batches = [
      { ids: [...DEMO.gifts.unused, DEMO.gifts.used], from: null, until: new Date(now + 365 * day), state: 'unused' },
      { ids: [DEMO.gifts.expired], from: new Date(now - 60 * day), until: new Date(now - day), state: 'expired' },
      { ids: [DEMO.gifts.future], from: new Date(now + 30 * day), until: new Date(now + 395 * day), state: 'not yet valid' },
    ]
    for (const b of batches) {
      const r = await issueGifts(deps, {
        giftIds: b.ids,
        prefix: '',
        amount: 5000,
        currency: 'JPY',
        validFrom: b.from,
        validUntil: b.until,
        ...actor,
      })
      for (const id of b.ids) {
        const state = id === DEMO.gifts.used ? 'redeemed below' : b.state
        lines.push({ what: 'gift', key: id, result: r.ok ? 'created' : 'exists', note: `5000 JPY, ${state}` })
      }
    }
    const used = await redeemGift(deps, {
      giftId: DEMO.gifts.used as GiftId,
      supplierInvoiceNo: 'INV-TOKYO-001',
      pin: '1234',
      actor: 'seed',
      caller: 'seed',
      requestId: 'seed',
    })
    lines.push({ what: 'redeem', key: DEMO.gifts.used, result: used.ok ? 'created' : 'exists', note: 'used at INV-TOKYO-001' })

    const catalog = {
      catalog: new DrizzleCatalogRepository(handle.db),
      cache: { get: async () => null, set: async () => {}, invalidate: async () => {} },
      clock,
    }
    for (const p of DEMO.products) {
      const r = await createProduct(catalog, { name: p.name, description: '', variants: p.variants, ...actor })
      lines.push({ what: 'product', key: `${p.name} (${p.variants.map((v) => v.sku).join(', ')})`, result: r.ok ? 'created' : 'exists' })
    }
    const user = await registerUser(
      { users: new DrizzleUserRepository(handle.db), passwords: new Pbkdf2Hasher(), clock },
      { email: DEMO.user.email, password: DEMO.user.password, requestId: 'seed' },
    )
    lines.push({ what: 'user', key: DEMO.user.email, result: user.ok ? 'created' : 'exists', note: `password ${DEMO.user.password}` })
  } finally {
    await handle.close()
  }
  return lines
}

export function printSeed(lines: readonly Line[]): void {
  for (const l of lines) console.log(`  ${l.result.padEnd(7)} ${l.what.padEnd(8)} ${l.key}${l.note ? `  (${l.note})` : ''}`)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = databaseUrl()
  console.log(`seeding ${new URL(url).host}${new URL(url).pathname}`)
  printSeed(await seed(url))
}
