import { describe, expect, it } from 'vitest'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { DrizzleCashbackRepository } from '../../../src/loyalty/adapters/drizzle-cashback-repository.ts'
import type { PayPayGateway } from '../../../src/loyalty/ports.ts'
import { exchangePoints } from '../../../src/loyalty/use-cases/exchange-points.ts'
import { systemClock } from '../../../src/shared/clock.ts'
import type { Logger } from '../../../src/shared/logger.ts'
import { ownDb } from '../db.ts'
import { exchange, expectLedgerConsistent, grant, ledger, linkedUser, newUser } from './support.ts'

/**
 * The points ledger through the API: admin grants keyed by idempotency keys, the user's balance
 * and history, and exchanges debiting points under concurrency. No Give job runs here (the
 * exchanges stay `requested`); PayPay itself is exercised in cashback.test.ts.
 */
describe('points ledger', () => {
  it('an admin grant credits once per key; a retried grant grants nothing more', async () => {
    const u = await newUser()
    const admin = await adminToken()
    const key = `bonus-${uniq()}`
    const body = { user_id: u.id, points: 500, kind: 'earn', reason: 'welcome bonus', idempotency_key: key }
    const first = await call('POST', '/api/admin/loyalty/points', { token: admin, body })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ balance: 500, replayed: false, entry: { kind: 'earn', points: 500, balance_after: 500 } })
    // The same grant again (a retry after a lost answer), concurrently too: still 500.
    const again = await Promise.all([1, 2, 3].map(() => call('POST', '/api/admin/loyalty/points', { token: admin, body })))
    for (const r of again) {
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({ balance: 500, replayed: true })
    }
    const reused = await call('POST', '/api/admin/loyalty/points', { token: admin, body: { ...body, points: 900 } })
    expect(reused.status).toBe(422)
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED')
    expect((await ledger(u.id)).entries).toHaveLength(1)
    expect(await expectLedgerConsistent(u.id)).toBe(500)
  })

  it('grants need a key, the admin role and a sane amount; a negative adjustment cannot overdraw', async () => {
    const u = await newUser()
    const admin = await adminToken()
    const noKey = await call('POST', '/api/admin/loyalty/points', { token: admin, body: { user_id: u.id, points: 10, reason: 'x' } })
    expect(noKey.status).toBe(400)
    expect(noKey.body.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED')
    const headerKey = await call('POST', '/api/admin/loyalty/points', {
      token: admin,
      body: { user_id: u.id, points: 10, reason: 'x' },
      headers: { 'idempotency-key': `hdr-${uniq()}` },
    })
    expect(headerKey.status).toBe(201)
    const notAdmin = await call('POST', '/api/admin/loyalty/points', {
      token: u.token,
      body: { user_id: u.id, points: 10, reason: 'x', idempotency_key: uniq() },
    })
    expect(notAdmin.status).toBe(403)
    const zero = await call('POST', '/api/admin/loyalty/points', {
      token: admin,
      body: { user_id: u.id, points: 0, reason: 'x', idempotency_key: uniq() },
    })
    expect(zero.status).toBe(400)
    expect(zero.body.error.code).toBe('VALIDATION_FAILED')
    const negativeEarn = await call('POST', '/api/admin/loyalty/points', {
      token: admin,
      body: { user_id: u.id, points: -5, kind: 'earn', reason: 'x', idempotency_key: uniq() },
    })
    expect(negativeEarn.body.error.code).toBe('INVALID_LEDGER_ENTRY')
    const overdraw = await call('POST', '/api/admin/loyalty/points', {
      token: admin,
      body: { user_id: u.id, points: -11, reason: 'fix', idempotency_key: uniq() },
    })
    expect(overdraw.status).toBe(409)
    expect(overdraw.body.error).toMatchObject({ code: 'INSUFFICIENT_POINTS', details: { balance: 10 } })
    const fix = await call('POST', '/api/admin/loyalty/points', {
      token: admin,
      body: { user_id: u.id, points: -10, reason: 'fix', idempotency_key: uniq() },
    })
    expect(fix.status).toBe(201)
    expect(fix.body.balance).toBe(0)
    expect(await expectLedgerConsistent(u.id)).toBe(0)
  })

  it('a user sees only their own balance and history, newest first, a page at a time', async () => {
    const u = await newUser()
    for (const p of [100, 200, 300]) await grant(u.id, p)
    const page1 = await call('GET', '/api/v1/points?limit=2', { token: u.token })
    expect(page1.status).toBe(200)
    expect(page1.body.balance).toBe(600)
    expect(page1.body.entries.map((e: any) => e.points)).toEqual([300, 200])
    expect(page1.body.entries[0].balance_after).toBe(600)
    const page2 = await call('GET', `/api/v1/points?limit=2&before=${page1.body.next_before}`, { token: u.token })
    expect(page2.body.entries.map((e: any) => e.points)).toEqual([100])
    expect(page2.body.next_before).toBeNull()
    const stranger = await call('GET', '/api/v1/points', { token: await token(`other-${uniq()}`) })
    expect(stranger.body).toMatchObject({ balance: 0, entries: [] })
    expect((await call('GET', '/api/v1/points')).status).toBe(401)
    const admin = await call('GET', `/api/admin/loyalty/users/${u.id}/points`, { token: await adminToken() })
    expect(admin.body.balance).toBe(600)
  })
})

describe('exchange', () => {
  it('without a live PayPay link is a clear 409, and nothing is debited', async () => {
    const u = await newUser()
    await grant(u.id, 1000)
    const res = await exchange(u.token, 100)
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('PAYPAY_NOT_LINKED')
    const page = await call('GET', '/mypage/points_exchange', { token: u.token })
    expect(page.body).toMatchObject({ balance: 1000, can_exchange: false, link: { status: 'none' } })
    expect(await expectLedgerConsistent(u.id)).toBe(1000)
  })

  it('validates the amount and refuses more than the balance', async () => {
    const u = await linkedUser()
    await grant(u.id, 50)
    for (const points of [0, -1, 1.5, 1_000_001]) expect((await exchange(u.token, points)).status).toBe(400)
    expect((await call('POST', '/mypage/point_input', { token: u.token, body: { points: 10, extra: 1 } })).status).toBe(400)
    const tooMuch = await exchange(u.token, 51)
    expect(tooMuch.status).toBe(409)
    expect(tooMuch.body.error).toMatchObject({ code: 'INSUFFICIENT_POINTS', details: { balance: 50, requested: 51 } })
    expect(await expectLedgerConsistent(u.id)).toBe(50)
  })

  it('20 parallel exchanges of 100 points on a balance of 1000: exactly 10 succeed, nothing overdraws', async () => {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call('POST', i % 2 ? '/mypage/point_input' : '/mypage/points_exchange', { token: u.token, body: { points: 100 } }),
      ),
    )
    const created = results.filter((r) => r.status === 201)
    const refused = results.filter((r) => r.status === 409)
    expect(created).toHaveLength(10)
    expect(refused).toHaveLength(10)
    for (const r of refused) expect(r.body.error.code).toBe('INSUFFICIENT_POINTS')
    expect(new Set(created.map((r) => r.body.cashback.merchant_cashback_id)).size).toBe(10)
    for (const r of created) expect(r.body.cashback).toMatchObject({ status: 'requested', points: 100, amount: 100, currency: 'JPY' })
    const l = await ledger(u.id)
    expect(l.entries.filter((e) => e.kind === 'exchange_debit')).toHaveLength(10)
    expect(await expectLedgerConsistent(u.id)).toBe(0)
    const mine = await call('GET', '/api/v1/paypay/cashbacks?limit=100', { token: u.token })
    expect(mine.body.cashbacks).toHaveLength(10)
  })

  it('an Idempotency-Key replays the first exchange instead of debiting again', async () => {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const key = `ex-${uniq()}`
    const first = await exchange(u.token, 300, { 'idempotency-key': key })
    expect(first.status).toBe(201)
    const replay = await exchange(u.token, 300, { 'idempotency-key': key })
    expect(replay.status).toBe(201)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body.cashback.merchant_cashback_id).toBe(first.body.cashback.merchant_cashback_id)
    const changed = await exchange(u.token, 400, { 'idempotency-key': key })
    expect(changed.status).toBe(422)
    // Concurrent twins with a fresh key: one exchange.
    const key2 = `ex-${uniq()}`
    const twins = await Promise.all([1, 2, 3].map(() => exchange(u.token, 100, { 'idempotency-key': key2 })))
    const ids = new Set(twins.filter((r) => r.status < 300).map((r) => r.body.cashback.merchant_cashback_id))
    expect(ids.size).toBe(1)
    for (const r of twins) expect([200, 201, 409]).toContain(r.status)
    expect(await expectLedgerConsistent(u.id)).toBe(600)
  })

  it('same-key twins reaching the database together (no Redis guard in front): one exchange, none refused for points', async () => {
    // The use case over the real adapter on 8 connections: the twins' statements overlap, the
    // losers block on the winner's account row, then find its cashback on the next read.
    const u = await linkedUser()
    await grant(u.id, 100)
    const db = ownDb(8)
    const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet }
    const deps = {
      cashbacks: new DrizzleCashbackRepository(db),
      paypay: {} as PayPayGateway,
      queue: { publish: async () => ({ messageId: 'm' }), publishMany: async () => {} },
      clock: systemClock,
      logger: quiet,
    }
    const key = `race-${uniq()}`
    const results = await Promise.all(
      Array.from({ length: 8 }, () => exchangePoints(deps, { userId: u.id, points: 100, requestKey: key, requestId: 'race' })),
    )
    for (const r of results) expect(r.ok, JSON.stringify(r)).toBe(true)
    const ids = new Set(results.map((r) => r.ok && r.value.cashback.merchantCashbackId))
    expect(ids.size).toBe(1)
    expect(results.filter((r) => r.ok && !r.value.replayed)).toHaveLength(1)
    expect(await expectLedgerConsistent(u.id)).toBe(0)
    expect((await ledger(u.id)).entries.filter((e) => e.kind === 'exchange_debit')).toHaveLength(1)
  })

  it('another user’s cashback is a 404', async () => {
    const u = await linkedUser()
    await grant(u.id, 100)
    const id = (await exchange(u.token, 100)).body.cashback.merchant_cashback_id
    expect((await call('GET', `/api/v1/paypay/cashbacks/${id}`, { token: u.token })).status).toBe(200)
    expect((await call('GET', `/api/v1/paypay/cashbacks/${id}`, { token: await token(`x-${uniq()}`) })).status).toBe(404)
  })
})
