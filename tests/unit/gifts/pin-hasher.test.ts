import { beforeEach, describe, expect, it } from 'vitest'
import { PepperedPinHasher } from '../../../src/gifts/adapters/peppered-pin-hasher.ts'
import type { GiftId } from '../../../src/gifts/domain/gift.ts'
import type { SupplierCode } from '../../../src/gifts/domain/supplier.ts'
import type { StoredPin } from '../../../src/gifts/ports.ts'
import { issueGifts } from '../../../src/gifts/use-cases/issue-gifts.ts'
import { redeemGift } from '../../../src/gifts/use-cases/redeem-gift.ts'
import { createSupplier } from '../../../src/gifts/use-cases/register-supplier.ts'
import { Pbkdf2Hasher } from '../../../src/platform/crypto/pbkdf2-hasher.ts'
import { giftWorld, PEPPERS, pinHasher } from './fakes.ts'

const S1 = 'S1' as SupplierCode
const row = (accountId: string, keyId: string | null, secret: string): StoredPin => ({ accountId, keyId, secret })

describe('PepperedPinHasher', () => {
  const pins = pinHasher()

  it('is keyed by the pepper, the supplier code and the PIN (no per-row salt)', async () => {
    const a = await pins.hash(S1, '1234')
    expect(a.keyId).toBe('k2')
    expect(await pins.hash(S1, '1234')).toEqual(a)
    expect((await pins.hash('S2' as SupplierCode, '1234')).secret).not.toBe(a.secret)
    expect((await pins.hash(S1, '1235')).secret).not.toBe(a.secret)
    const otherPepper = new PepperedPinHasher([{ id: 'k2', secret: 'another-pepper-entirely-0123456789abcdef' }])
    expect((await otherPepper.hash(S1, '1234')).secret).not.toBe(a.secret)
    // The parts cannot be shifted into each other: ["S1","1234"] is not ["S11","234"].
    expect((await pins.hash('S11' as SupplierCode, '234')).secret).not.toBe(a.secret)
  })

  it('matches any account of the supplier under the current pepper; nothing to rewrite', async () => {
    const cur = await pins.hash(S1, '1234')
    const other = await pins.hash(S1, '9999')
    const check = await pins.check(S1, '1234', [row('a', 'k2', other.secret), row('b', 'k2', cur.secret)])
    expect(check).toEqual({ matched: true, stale: [] })
    expect((await pins.check(S1, '0000', [row('b', 'k2', cur.secret)])).matched).toBe(false)
    // A hash of another supplier's code does not verify here.
    expect((await pins.check('S2' as SupplierCode, '1234', [row('b', 'k2', cur.secret)])).matched).toBe(false)
  })

  it('accepts an older pepper and asks for the row to be rewritten; a retired pepper matches nothing', async () => {
    const older = await new PepperedPinHasher([PEPPERS[1]!]).hash(S1, '1234')
    expect(older.keyId).toBe('k1')
    const stale = row('a', 'k1', older.secret)
    expect(await pins.check(S1, '1234', [stale])).toEqual({ matched: true, stale: [stale] })
    const retired = new PepperedPinHasher([PEPPERS[0]!])
    expect((await retired.check(S1, '1234', [stale])).matched).toBe(false)
  })

  it('verifies old PBKDF2 rows (key id null) only when no peppered row matched, and marks them stale', async () => {
    const legacy = await new Pbkdf2Hasher(1000).hash('1234')
    const old = row('a', null, legacy)
    expect(await pins.check(S1, '1234', [old])).toEqual({ matched: true, stale: [old] })
    expect(await pins.check(S1, '4321', [old])).toEqual({ matched: false, stale: [] })
    let verified = 0
    const counting = new PepperedPinHasher(PEPPERS, { verify: async () => (verified++, false) } as unknown as Pbkdf2Hasher)
    const cur = await pins.hash(S1, '1234')
    expect((await counting.check(S1, '1234', [old, row('b', 'k2', cur.secret)])).matched).toBe(true)
    expect(verified).toBe(0)
  })

  it('refuses an empty pepper list', () => {
    expect(() => new PepperedPinHasher([])).toThrow()
  })
})

describe('redemption against rows in an old form', () => {
  let world: ReturnType<typeof giftWorld>
  beforeEach(async () => {
    world = giftWorld()
    const actor = { actor: 'admin', requestId: 'r' }
    await createSupplier(world.deps, { supplierCode: S1, supplierName: 'Shop', supplierInvoiceNo: 'INV-S1', ...actor })
    await issueGifts(world.deps, {
      giftIds: ['G1', 'G2'],
      prefix: '',
      amount: 1,
      currency: 'JPY',
      validFrom: null,
      validUntil: null,
      ...actor,
    })
    const base = { supplierCode: S1, supplierAccountName: 'x' }
    world.deps.accounts.rows.push(
      {
        ...base,
        supplierAccountId: 'legacy',
        supplierAccountInvoiceNo: 'ACC-1',
        secretHash: await new Pbkdf2Hasher(1000).hash('1234'),
        secretKeyId: null,
      },
      {
        ...base,
        supplierAccountId: 'other',
        supplierAccountInvoiceNo: 'ACC-2',
        secretHash: await new Pbkdf2Hasher(1000).hash('5678'),
        secretKeyId: null,
      },
    )
  })
  const redeem = (giftId: string, pin: string) =>
    redeemGift(world.deps, { giftId: giftId as GiftId, supplierInvoiceNo: 'INV-S1', pin, actor: null, caller: 'ip:x', requestId: 'r' })

  it('first success rewrites the matching row after the answer, once; other rows stay as they are', async () => {
    expect((await redeem('G1', '1234')).ok).toBe(true)
    expect(world.deferred.pending.map((p) => p.label)).toEqual(['gifts.pin.upgrade', 'gifts.pin-attempt.release'])
    expect(world.deps.accounts.rows[0]!.secretKeyId).toBeNull()
    await world.deferred.runAll()
    const [legacy, other] = world.deps.accounts.rows
    expect(legacy).toMatchObject({ secretKeyId: 'k2', secretHash: (await pinHasher().hash(S1, '1234')).secret })
    expect(other!.secretKeyId).toBeNull()
    // The next use finds the peppered row: no rewrite.
    expect((await redeem('G2', '1234')).ok).toBe(true)
    expect(world.deferred.pending.map((p) => p.label)).toEqual(['gifts.pin-attempt.release'])
  })

  it('a wrong PIN rewrites nothing', async () => {
    expect((await redeem('G1', '0000')).ok).toBe(false)
    expect(world.deferred.pending).toEqual([])
  })
})
