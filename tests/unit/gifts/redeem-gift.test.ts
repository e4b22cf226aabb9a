import { beforeEach, describe, expect, it } from 'vitest'
import type { GiftId } from '../../../src/gifts/domain/gift.ts'
import type { SupplierCode } from '../../../src/gifts/domain/supplier.ts'
import { issueGifts } from '../../../src/gifts/use-cases/issue-gifts.ts'
import { redeemGift, type RedeemGiftCommand } from '../../../src/gifts/use-cases/redeem-gift.ts'
import { createSupplier, createSupplierAccount } from '../../../src/gifts/use-cases/register-supplier.ts'
import { giftWorld } from './fakes.ts'

const actor = { actor: 'admin', requestId: 'req_test' }
let world: ReturnType<typeof giftWorld>

async function setup() {
  world = giftWorld()
  const d = world.deps
  await createSupplier(d, { supplierCode: 'S1' as SupplierCode, supplierName: 'Shop', supplierInvoiceNo: 'INV-S1', ...actor })
  await createSupplier(d, { supplierCode: 'S2' as SupplierCode, supplierName: 'Other', supplierInvoiceNo: 'INV-S2', ...actor })
  await createSupplierAccount(d, {
    supplierCode: 'S1' as SupplierCode,
    supplierAccountInvoiceNo: 'ACC-S1-A',
    supplierAccountName: 'A',
    pin: '1111',
    ...actor,
  })
  await createSupplierAccount(d, {
    supplierCode: 'S2' as SupplierCode,
    supplierAccountInvoiceNo: 'ACC-S2-A',
    supplierAccountName: 'B',
    pin: '2222',
    ...actor,
  })
  const t = world.clock.now().getTime()
  const base = { prefix: '', amount: 1000, currency: 'JPY', ...actor }
  await issueGifts(d, { ...base, giftIds: ['G-OK', 'G-OK2'], validFrom: null, validUntil: new Date(t + 86_400_000) })
  await issueGifts(d, { ...base, giftIds: ['G-OLD'], validFrom: new Date(t - 2e9), validUntil: new Date(t - 1) })
  await issueGifts(d, { ...base, giftIds: ['G-SOON'], validFrom: new Date(t + 1000), validUntil: null })
}

const cmd = (over: Partial<RedeemGiftCommand> = {}): RedeemGiftCommand => ({
  giftId: 'G-OK' as GiftId,
  supplierInvoiceNo: 'INV-S1',
  pin: '1111',
  actor: null,
  caller: 'ip:203.0.113.7',
  requestId: 'req_1',
  ...over,
})

const codeOf = async (c: RedeemGiftCommand) => {
  const r = await redeemGift(world.deps, c)
  return r.ok ? 'OK' : r.error.code
}

describe('redeemGift (seed 002)', () => {
  beforeEach(setup)

  it('redeems: marks used with the time and writes an audit entry naming the supplier', async () => {
    const r = await redeemGift(world.deps, cmd())
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.gift.status).toBe('used')
    expect(r.value.gift.usedAt).toEqual(world.clock.now())
    expect(r.value.gift.usedSupplierCode).toBe('S1')
    const audit = world.deps.gifts.audit.at(-1)!
    expect(audit).toMatchObject({ action: 'gift.redeemed', entityId: 'G-OK', actor: 'supplier:S1', requestId: 'req_1' })
  })

  it('accepts a shop account invoice number and resolves its supplier (step 2 fallback)', async () => {
    expect(await codeOf(cmd({ supplierInvoiceNo: 'ACC-S1-A' }))).toBe('OK')
  })

  it('names each refusal with its own code', async () => {
    expect(await codeOf(cmd({ giftId: 'NOPE' as GiftId }))).toBe('GIFT_NOT_FOUND')
    expect(await codeOf(cmd({ giftId: 'G-OLD' as GiftId }))).toBe('GIFT_EXPIRED')
    expect(await codeOf(cmd({ giftId: 'G-SOON' as GiftId }))).toBe('GIFT_NOT_YET_VALID')
    expect(await codeOf(cmd({ supplierInvoiceNo: 'INV-NONE' }))).toBe('SUPPLIER_INVOICE_NOT_FOUND')
    expect(await codeOf(cmd({ pin: '9999' }))).toBe('INVALID_PIN')
    // A PIN of another supplier's account is not valid here.
    expect(await codeOf(cmd({ pin: '2222' }))).toBe('INVALID_PIN')
    expect(await codeOf(cmd())).toBe('OK')
    expect(await codeOf(cmd())).toBe('GIFT_ALREADY_USED')
  })

  it('checks in the seed order: an expired gift is reported before a bad invoice or PIN', async () => {
    expect(await codeOf(cmd({ giftId: 'G-OLD' as GiftId, supplierInvoiceNo: 'X', pin: 'x' }))).toBe('GIFT_EXPIRED')
    expect(await codeOf(cmd({ supplierInvoiceNo: 'X', pin: 'x' }))).toBe('SUPPLIER_INVOICE_NOT_FOUND')
  })

  it('validity window: valid_from inclusive, valid_until exclusive', async () => {
    world.clock.advance(1000)
    expect(await codeOf(cmd({ giftId: 'G-SOON' as GiftId }))).toBe('OK')
    world.clock.advance(86_400_000)
    expect(await codeOf(cmd({ giftId: 'G-OK2' as GiftId }))).toBe('GIFT_EXPIRED')
  })

  it('locks a caller out after 5 wrong PINs, refuses its right PIN too, and lifts after the window', async () => {
    for (let i = 0; i < 5; i++) expect(await codeOf(cmd({ pin: '0000' }))).toBe('INVALID_PIN')
    const locked = await redeemGift(world.deps, cmd())
    expect(locked.ok).toBe(false)
    if (!locked.ok) {
      expect(locked.error.code).toBe('PIN_LOCKED')
      expect(locked.error.details).toEqual({ retry_after_seconds: 900, scope: 'caller' })
    }
    // The same supplier's shop on another address is not affected.
    expect(await codeOf(cmd({ caller: 'ip:198.51.100.1' }))).toBe('OK')
    expect(await codeOf(cmd({ giftId: 'G-OK2' as GiftId }))).toBe('PIN_LOCKED')
    world.clock.advance(15 * 60_000)
    expect(await codeOf(cmd({ giftId: 'G-OK2' as GiftId }))).toBe('OK')
  })

  it('a caller locked for one supplier still redeems for another', async () => {
    for (let i = 0; i < 5; i++) await codeOf(cmd({ pin: '0000' }))
    expect(await codeOf(cmd({ giftId: 'G-OK2' as GiftId, supplierInvoiceNo: 'INV-S2', pin: '2222' }))).toBe('OK')
  })

  it('guessing spread over many callers locks the whole supplier at the ceiling (50)', async () => {
    for (let i = 0; i < 50; i++) expect(await codeOf(cmd({ pin: '0000', caller: `ip:10.0.0.${i}` }))).toBe('INVALID_PIN')
    const r = await redeemGift(world.deps, cmd({ caller: 'ip:192.0.2.1' }))
    expect(r.ok ? 'OK' : r.error).toMatchObject({ code: 'PIN_LOCKED', details: { scope: 'supplier' } })
  })

  it('a correct PIN does not reset the count of wrong ones', async () => {
    for (let i = 0; i < 4; i++) await codeOf(cmd({ pin: '0000' }))
    expect(await codeOf(cmd({ giftId: 'G-OK2' as GiftId }))).toBe('OK')
    expect(await codeOf(cmd({ pin: '0000' }))).toBe('INVALID_PIN')
    expect(await codeOf(cmd())).toBe('PIN_LOCKED')
  })

  it('success: one read, one guarded write, one lockout call before the answer; the release is deferred', async () => {
    const r = await redeemGift(world.deps, cmd())
    expect(r.ok).toBe(true)
    const { redemptions, lockout } = world.deps
    expect([redemptions.loads, redemptions.writes]).toEqual([1, 1])
    expect(lockout.log).toEqual(['reserve'])
    expect(world.deferred.pending.map((p) => p.label)).toEqual(['gifts.pin-attempt.release'])
    await world.deferred.runAll()
    expect(lockout.log).toEqual(['reserve', 'settle:true'])
  })

  it('a wrong PIN is counted before the answer, with nothing deferred and nothing written', async () => {
    expect(await codeOf(cmd({ pin: '0000' }))).toBe('INVALID_PIN')
    expect(world.deps.lockout.log).toEqual(['reserve', 'settle:false'])
    expect(world.deferred.pending).toEqual([])
    expect([world.deps.redemptions.loads, world.deps.redemptions.writes]).toEqual([1, 0])
  })

  it('refusals before the PIN touch neither the lockout nor the write', async () => {
    expect(await codeOf(cmd({ giftId: 'G-OLD' as GiftId }))).toBe('GIFT_EXPIRED')
    expect(await codeOf(cmd({ supplierInvoiceNo: 'INV-NONE' }))).toBe('SUPPLIER_INVOICE_NOT_FOUND')
    expect(world.deps.lockout.log).toEqual([])
    expect(world.deps.redemptions.writes).toBe(0)
  })

  it('a failed write still releases the attempt (deferred) and surfaces the error', async () => {
    world.deps.redemptions.markUsed = async () => {
      throw new Error('db down')
    }
    await expect(redeemGift(world.deps, cmd())).rejects.toThrow('db down')
    expect(world.deferred.pending.map((p) => p.label)).toEqual(['gifts.pin-attempt.release'])
  })

  it("losing the write race answers GIFT_ALREADY_USED with the winner's time", async () => {
    const winner = new Date('2026-05-31T12:00:00Z')
    const { redemptions, gifts } = world.deps
    const load = redemptions.load.bind(redemptions)
    redemptions.load = async (id, inv) => {
      const snap = await load(id, inv)
      // A concurrent redemption lands between this read and the write.
      gifts.rows.set(id, { ...snap.gift!, status: 'used', usedAt: winner })
      return snap
    }
    const r = await redeemGift(world.deps, cmd())
    expect(r.ok ? 'OK' : r.error).toMatchObject({ code: 'GIFT_ALREADY_USED', details: { gift_used_datetime: winner.toISOString() } })
  })

  it('concurrent redemptions of one gift: exactly one succeeds, the rest see GIFT_ALREADY_USED', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => codeOf(cmd())))
    expect(results.filter((r) => r === 'OK')).toHaveLength(1)
    expect(results.filter((r) => r === 'GIFT_ALREADY_USED')).toHaveLength(19)
  })
})

describe('admin use cases', () => {
  beforeEach(setup)

  it('issue is all or none when an id exists', async () => {
    const r = await issueGifts(world.deps, {
      giftIds: ['NEW-1', 'G-OK'],
      prefix: '',
      amount: 1,
      currency: 'JPY',
      validFrom: null,
      validUntil: null,
      ...actor,
    })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatchObject({ code: 'GIFT_EXISTS', details: { gift_ids: ['G-OK'] } })
    expect(world.deps.gifts.rows.has('NEW-1')).toBe(false)
  })

  it('generates unguessable codes with the prefix', async () => {
    const r = await issueGifts(world.deps, {
      count: 50,
      prefix: 'XM-',
      amount: 1,
      currency: 'JPY',
      validFrom: null,
      validUntil: null,
      ...actor,
    })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    const ids = r.value.map((g) => g.giftId)
    expect(new Set(ids).size).toBe(50)
    for (const id of ids) expect(id).toMatch(/^XM-[2-9A-HJ-NP-Z]{12}$/)
  })

  it('refuses an account for an unknown supplier and a duplicate invoice number', async () => {
    const base = { supplierAccountName: 'x', pin: '1234', ...actor }
    const unknown = await createSupplierAccount(world.deps, {
      ...base,
      supplierCode: 'NOPE' as SupplierCode,
      supplierAccountInvoiceNo: 'Z',
    })
    expect(unknown.ok ? 'OK' : unknown.error.code).toBe('SUPPLIER_NOT_FOUND')
    const dup = await createSupplierAccount(world.deps, {
      ...base,
      supplierCode: 'S1' as SupplierCode,
      supplierAccountInvoiceNo: 'ACC-S1-A',
    })
    expect(dup.ok ? 'OK' : dup.error.code).toBe('SUPPLIER_ACCOUNT_EXISTS')
  })

  it("stores the PIN only as the current pepper's HMAC", async () => {
    const rows = world.deps.accounts.rows
    expect(rows.every((a) => a.secretKeyId === 'k2' && /^[A-Za-z0-9+/]{43}=$/.test(a.secretHash) && !('pin' in a))).toBe(true)
    expect(rows.map((a) => a.secretHash).join()).not.toMatch(/1111|2222/)
  })
})
