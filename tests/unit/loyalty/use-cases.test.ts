import { describe, expect, it } from 'vitest'
import type { MerchantCashbackId } from '../../../src/loyalty/domain/cashback.ts'
import type { MerchantCashbackReversalId } from '../../../src/loyalty/domain/reversal.ts'
import { applyCashbackStatus } from '../../../src/loyalty/use-cases/cashback-status.ts'
import { handlePayPayNotification, type NotificationBody } from '../../../src/loyalty/use-cases/cashback-notification.ts'
import { checkCashbacks } from '../../../src/loyalty/use-cases/check-cashbacks.ts'
import { completeLink } from '../../../src/loyalty/use-cases/complete-link.ts'
import { exchangePoints } from '../../../src/loyalty/use-cases/exchange-points.ts'
import { giveCashback } from '../../../src/loyalty/use-cases/give-cashback.ts'
import { exportHistory } from '../../../src/loyalty/use-cases/history-files.ts'
import { grantPoints } from '../../../src/loyalty/use-cases/points.ts'
import { reverseCashback } from '../../../src/loyalty/use-cases/reverse-cashback.ts'
import { applyReversalStatus } from '../../../src/loyalty/use-cases/reversal-status.ts'
import { startLink } from '../../../src/loyalty/use-cases/start-link.ts'
import { startReversal } from '../../../src/loyalty/use-cases/start-reversal.ts'
import { type FakePayPay, linked, loyaltyDeps, refused, transient } from './fakes.ts'

const ctx = { requestId: 'req_test' }

async function exchanged(deps: ReturnType<typeof loyaltyDeps>, userId = 'u1', points = 100) {
  const r = await exchangePoints(deps, { userId, points, requestKey: null, requestId: 'req' })
  if (!r.ok) throw new Error(r.error.code)
  return r.value.cashback.merchantCashbackId
}

const refunds = (deps: ReturnType<typeof loyaltyDeps>) => deps.ledger.entries.filter((e) => e.kind === 'refund_credit')
const pay = (deps: ReturnType<typeof loyaltyDeps>) => deps.paypay as FakePayPay

describe('exchange', () => {
  it('needs PayPay configured, a live link and enough points', async () => {
    expect((await exchangePoints(loyaltyDeps({ paypay: null }), { userId: 'u', points: 1, requestKey: null, requestId: 'r' })).ok).toBe(
      false,
    )
    const deps = loyaltyDeps()
    const none = await exchangePoints(deps, { userId: 'u1', points: 10, requestKey: null, requestId: 'r' })
    expect(!none.ok && none.error.code).toBe('PAYPAY_NOT_LINKED')
    await linked(deps, 'u1', 50)
    deps.clock.set(new Date('2027-06-01T00:00:00Z'))
    const expired = await exchangePoints(deps, { userId: 'u1', points: 10, requestKey: null, requestId: 'r' })
    expect(!expired.ok && expired.error.code).toBe('PAYPAY_LINK_EXPIRED')
    deps.clock.set(new Date('2026-03-01T00:00:00Z'))
    const tooMuch = await exchangePoints(deps, { userId: 'u1', points: 51, requestKey: null, requestId: 'r' })
    expect(!tooMuch.ok && tooMuch.error.code).toBe('INSUFFICIENT_POINTS')
    expect(deps.queue.published).toHaveLength(0)
  })

  it('debits, records the cashback and then publishes the Give job deduplicated by merchantCashbackId', async () => {
    const deps = loyaltyDeps()
    await linked(deps, 'u1', 500)
    const id = await exchanged(deps, 'u1', 200)
    expect(id).toMatch(/^pcb_[0-9A-Z]{26}$/)
    expect(await deps.ledger.balance('u1')).toBe(300)
    expect(deps.queue.published).toEqual([{ name: 'loyalty.give-cashback', payload: { merchant_cashback_id: id }, deduplicationId: id }])
    // A queue outage does not undo or fail the exchange: the 5-minute check re-drives it.
    deps.queue.fail = true
    expect((await exchangePoints(deps, { userId: 'u1', points: 100, requestKey: null, requestId: 'r' })).ok).toBe(true)
    expect(await deps.ledger.balance('u1')).toBe(200)
  })
})

describe('exchange decided from one statement’s snapshot', () => {
  it('a write that the snapshot allowed but a concurrent debit beat is read again; a key replays the first exchange', async () => {
    const deps = loyaltyDeps()
    await linked(deps, 'u1', 100)
    // The first statement's snapshot shows 100 points, but a concurrent exchange took them first.
    const real = deps.cashbacks.exchange.bind(deps.cashbacks)
    let calls = 0
    deps.cashbacks.exchange = async (...args) => {
      calls++
      if (calls === 1) return { link: deps.links.links.get('u1')!, prior: null, created: null, balance: 100 }
      return real(...args)
    }
    const r = await exchangePoints(deps, { userId: 'u1', points: 100, requestKey: 'k1', requestId: 'r' })
    expect(r.ok && r.value.replayed).toBe(false)
    expect(calls).toBe(2)
    const again = await exchangePoints(deps, { userId: 'u1', points: 100, requestKey: 'k1', requestId: 'r' })
    expect(again.ok && again.value).toMatchObject({
      replayed: true,
      cashback: { merchantCashbackId: r.ok && r.value.cashback.merchantCashbackId },
    })
    const other = await exchangePoints(deps, { userId: 'u1', points: 50, requestKey: 'k1', requestId: 'r' })
    expect(!other.ok && other.error.code).toBe('IDEMPOTENCY_KEY_REUSED')
    expect(await deps.ledger.balance('u1')).toBe(0)
  })

  it('a refusal the snapshot agrees with is final after one statement', async () => {
    const deps = loyaltyDeps()
    await linked(deps, 'u1', 10)
    let calls = 0
    const real = deps.cashbacks.exchange.bind(deps.cashbacks)
    deps.cashbacks.exchange = async (...a) => (calls++, real(...a))
    const r = await exchangePoints(deps, { userId: 'u1', points: 11, requestKey: null, requestId: 'r' })
    expect(!r.ok && r.error).toMatchObject({ code: 'INSUFFICIENT_POINTS' })
    expect(calls).toBe(1)
  })
})

describe('give cashback', () => {
  it('the statement that records PayPay’s answer frees the lease: no separate release', async () => {
    const deps = loyaltyDeps()
    await linked(deps, 'u1', 500)
    const id = await exchanged(deps)
    let releases = 0
    const real = deps.cashbacks.release.bind(deps.cashbacks)
    deps.cashbacks.release = async (...a) => (releases++, real(...a))
    expect(await giveCashback(deps, id, ctx)).toEqual({ kind: 'done', status: 'accepted' })
    expect(releases).toBe(0)
    expect(deps.cashbacks.rows.get(id)!.lease).toBeUndefined()
    // A transient answer moves nothing, so the lease is released on its own.
    const id2 = await exchanged(deps)
    pay(deps).next('give', transient('TIMEOUT'))
    expect((await giveCashback(deps, id2, ctx)).kind).toBe('retry')
    expect(releases).toBe(1)
    expect(deps.cashbacks.rows.get(id2)!.lease).toBeUndefined()
  })

  it('transient failures ask for a retry and every retry sends the same merchantCashbackId', async () => {
    const deps = loyaltyDeps()
    await linked(deps, 'u1', 500)
    const id = await exchanged(deps)
    pay(deps).next('give', transient('RATE_LIMIT'), transient('TIMEOUT'))
    expect((await giveCashback(deps, id, ctx)).kind).toBe('retry')
    expect((await giveCashback(deps, id, ctx)).kind).toBe('retry')
    expect(await giveCashback(deps, id, ctx)).toEqual({ kind: 'done', status: 'accepted' })
    expect(
      pay(deps)
        .calls.filter((c) => c.op === 'give')
        .map((c) => c.id),
    ).toEqual([id, id, id])
    expect(await giveCashback(deps, id, ctx)).toMatchObject({ kind: 'skipped', reason: 'not_pending' })
  })

  it('a first-attempt refusal fails the cashback and credits the points back once', async () => {
    const deps = loyaltyDeps()
    await linked(deps, 'u1', 500)
    const id = await exchanged(deps, 'u1', 120)
    pay(deps).next('give', refused('EXPIRED_USER_AUTHORIZATION_ID'))
    expect(await giveCashback(deps, id, ctx)).toEqual({ kind: 'done', status: 'failed' })
    expect(await giveCashback(deps, id, ctx)).toMatchObject({ kind: 'skipped' })
    expect(refunds(deps)).toEqual([expect.objectContaining({ points: 120, idempotencyKey: `refund:${id}` })])
    expect(await deps.ledger.balance('u1')).toBe(500)
    expect(deps.links.links.get('u1')!.status).toBe('expired')
    expect(pay(deps).calls.filter((c) => c.op === 'check')).toHaveLength(0)
  })

  it('a refusal on a retry asks PayPay first: an earlier lost call may have been granted', async () => {
    const deps = loyaltyDeps()
    await linked(deps, 'u1', 500)
    const id = await exchanged(deps)
    pay(deps).next('give', transient('NETWORK_ERROR'), refused('VALIDATION_FAILED_EXCEPTION'))
    pay(deps).details.set(id, { status: 'SUCCESS', amount: 100, cashbackId: 'cb', failureCode: null })
    await giveCashback(deps, id, ctx)
    expect(await giveCashback(deps, id, ctx)).toEqual({ kind: 'done', status: 'succeeded' })
    expect(refunds(deps)).toHaveLength(0)
  })

  it('a re-used id that PayPay does not show yet is retried, not failed', async () => {
    const deps = loyaltyDeps()
    await linked(deps, 'u1', 500)
    const id = await exchanged(deps)
    pay(deps).next('give', transient('TIMEOUT'), refused('VALIDATION_FAILED_EXCEPTION'))
    await giveCashback(deps, id, ctx)
    expect((await giveCashback(deps, id, ctx)).kind).toBe('retry')
    expect((await deps.cashbacks.find(id))!.status).toBe('requested')
    expect(refunds(deps)).toHaveLength(0)
  })

  it('concurrent deliveries: one holds the lease and calls PayPay', async () => {
    const deps = loyaltyDeps()
    await linked(deps, 'u1', 500)
    const id = await exchanged(deps)
    const outs = await Promise.all([giveCashback(deps, id, ctx), giveCashback(deps, id, ctx), giveCashback(deps, id, ctx)])
    expect(outs.filter((o) => o.kind === 'done')).toHaveLength(1)
    expect(pay(deps).calls.filter((c) => c.op === 'give')).toHaveLength(1)
  })
})

describe('status from PayPay', () => {
  it('FAILURE after SUCCESS is refused and credits nothing', async () => {
    const deps = loyaltyDeps()
    await linked(deps, 'u1', 500)
    const id = await exchanged(deps)
    await giveCashback(deps, id, ctx)
    const c = (await deps.cashbacks.find(id))!
    expect(
      await applyCashbackStatus(deps, c, { status: 'SUCCESS', failureCode: null, paypayCashbackId: null, source: 't', requestId: 'r' }),
    ).toEqual({ kind: 'applied', status: 'succeeded' })
    const done = (await deps.cashbacks.find(id))!
    expect(
      await applyCashbackStatus(deps, done, { status: 'FAILURE', failureCode: 'X', paypayCashbackId: null, source: 't', requestId: 'r' }),
    ).toEqual({
      kind: 'refused',
      status: 'succeeded',
      reported: 'FAILURE',
    })
    // A stale copy still saying `accepted` loses to the guard too.
    expect(
      await applyCashbackStatus(deps, c, { status: 'FAILURE', failureCode: 'X', paypayCashbackId: null, source: 't', requestId: 'r' }),
    ).toMatchObject({ kind: 'refused' })
    expect(refunds(deps)).toHaveLength(0)
  })

  it('the callback body only names the cashback: its claims are ignored, PayPay’s status applied', async () => {
    const deps = loyaltyDeps()
    const deferred: Array<() => Promise<unknown>> = []
    const nctx = { ...ctx, defer: (_: string, task: () => Promise<unknown>) => void deferred.push(task) }
    const json = (value: unknown): NotificationBody => ({ readable: true, value })
    await linked(deps, 'u1', 500)
    const id = await exchanged(deps)
    await giveCashback(deps, id, ctx)
    expect(await handlePayPayNotification(deps, { readable: false }, nctx)).toEqual({ kind: 'ignored', reason: 'unreadable' })
    expect(await handlePayPayNotification(deps, json({ merchantCashbackId: 'someone-elses' }), nctx)).toEqual({
      kind: 'ignored',
      reason: 'unknown_id',
    })
    expect(deferred).toHaveLength(0)
    expect(await handlePayPayNotification(deps, json({ merchantCashbackId: id, status: 'FAILURE' }), nctx)).toEqual({
      kind: 'unchanged',
      status: 'accepted',
    })
    pay(deps).details.set(id, { status: 'FAILURE', amount: 100, cashbackId: 'cb', failureCode: 'NOT_ENOUGH_MONEY' })
    const body = json({ data: { merchant_cashback_id: id, status: 'SUCCESS' } })
    expect(await handlePayPayNotification(deps, body, nctx)).toEqual({ kind: 'applied', status: 'failed' })
    expect(await handlePayPayNotification(deps, body, nctx)).toEqual({ kind: 'ignored', reason: 'final' })
    expect(refunds(deps)).toHaveLength(1)
    pay(deps).next('check', transient('INTERNAL_SERVER_ERROR'))
    const other = await exchanged(deps)
    await giveCashback(deps, other, ctx)
    expect(await handlePayPayNotification(deps, json({ merchantCashbackId: other }), nctx)).toEqual({
      kind: 'retry',
      code: 'INTERNAL_SERVER_ERROR',
    })

    // No id: the due records are checked after the answer, reads only, each once per window.
    pay(deps).details.set(other, { status: 'SUCCESS', amount: 100, cashbackId: 'cb2', failureCode: null })
    expect(await handlePayPayNotification(deps, json({ status: 'SUCCESS' }), nctx)).toEqual({ kind: 'swept' })
    expect((await deps.cashbacks.find(other))!.status).toBe('accepted')
    await deferred.shift()!()
    expect((await deps.cashbacks.find(other))!.status).toBe('succeeded')
    const checks = () => pay(deps).calls.filter((x) => x.op === 'check').length
    const third = await exchanged(deps)
    await giveCashback(deps, third, ctx)
    await handlePayPayNotification(deps, json({}), nctx)
    await deferred.shift()!()
    const after = checks()
    await handlePayPayNotification(deps, json([]), nctx)
    await deferred.shift()!()
    expect(checks()).toBe(after)
    expect(pay(deps).calls.filter((x) => x.op === 'give' && x.id === third)).toHaveLength(1)
  })

  it('the check completes, fails (points back) and re-sends not-found ones with the same id', async () => {
    const deps = loyaltyDeps()
    await linked(deps, 'u1', 1000)
    const [a, b, c] = [await exchanged(deps), await exchanged(deps), await exchanged(deps)]
    for (const id of [a, b, c]) await giveCashback(deps, id, ctx)
    pay(deps).details.set(a, { status: 'SUCCESS', amount: 100, cashbackId: 'x', failureCode: null })
    pay(deps).details.set(b, { status: 'FAILURE', amount: 100, cashbackId: 'x', failureCode: 'NOT_ENOUGH_MONEY' })
    pay(deps).details.delete(c)
    deps.clock.advance(10 * 60_000)
    const [r1, r2] = await Promise.all([checkCashbacks(deps, ctx), checkCashbacks(deps, ctx)])
    expect(r1.succeeded + r2.succeeded).toBe(1)
    expect(r1.failed + r2.failed).toBe(1)
    expect((await deps.cashbacks.find(a))!.status).toBe('succeeded')
    expect((await deps.cashbacks.find(b))!.status).toBe('failed')
    expect(refunds(deps)).toHaveLength(1)
    expect(pay(deps).calls.filter((x) => x.op === 'give' && x.id === c).length).toBeGreaterThanOrEqual(2)
    expect((await deps.cashbacks.find(c))!.status).toBe('accepted')
    expect(deps.ledger.sum('u1')).toBe(await deps.ledger.balance('u1'))
  })
})

describe('reversal', () => {
  async function granted(deps: ReturnType<typeof loyaltyDeps>, points = 300) {
    await linked(deps, 'u1', 1000)
    const id = await exchanged(deps, 'u1', points)
    await giveCashback(deps, id, ctx)
    await applyCashbackStatus(deps, (await deps.cashbacks.find(id))!, {
      status: 'SUCCESS',
      failureCode: null,
      paypayCashbackId: null,
      source: 't',
      requestId: 'r',
    })
    return id
  }

  it('credits exactly what PayPay reversed, once, and frees the rest', async () => {
    const deps = loyaltyDeps()
    const id = await granted(deps)
    const r = await startReversal(deps, {
      merchantCashbackId: id,
      amount: 100,
      reason: null,
      requestKey: null,
      actor: 'admin',
      requestId: 'r',
    })
    if (!r.ok) throw new Error(r.error.code)
    const rid = r.value.reversal.merchantCashbackReversalId
    expect(deps.queue.published.at(-1)).toEqual({
      name: 'loyalty.reverse-cashback',
      payload: { merchant_cashback_reversal_id: rid },
      deduplicationId: rid,
    })
    expect(await reverseCashback(deps, rid, ctx)).toEqual({ kind: 'done', status: 'accepted' })
    const rev = (await deps.reversals.find(rid))!
    const report = {
      status: 'SUCCESS' as const,
      reversedAmount: 70,
      failureCode: null,
      paypayReversalId: null,
      source: 't',
      requestId: 'r',
    }
    await Promise.all([applyReversalStatus(deps, rev, report), applyReversalStatus(deps, rev, report)])
    expect(deps.ledger.entries.filter((e) => e.kind === 'reversal_credit').map((e) => e.points)).toEqual([70])
    expect((await deps.cashbacks.find(id))!).toMatchObject({ reversalReserved: 70, reversedAmount: 70 })
    const tooMuch = await startReversal(deps, {
      merchantCashbackId: id,
      amount: 231,
      reason: null,
      requestKey: null,
      actor: 'admin',
      requestId: 'r',
    })
    expect(!tooMuch.ok && tooMuch.error.code).toBe('REVERSAL_AMOUNT_TOO_LARGE')
  })

  it('a reversal PayPay refuses on the first try fails and frees its reservation', async () => {
    const deps = loyaltyDeps()
    const id = await granted(deps)
    const r = await startReversal(deps, {
      merchantCashbackId: id,
      amount: null,
      reason: null,
      requestKey: null,
      actor: 'admin',
      requestId: 'r',
    })
    if (!r.ok) throw new Error(r.error.code)
    pay(deps).next('reverse', refused('VALIDATION_FAILED_EXCEPTION'))
    expect(await reverseCashback(deps, r.value.reversal.merchantCashbackReversalId as MerchantCashbackReversalId, ctx)).toEqual({
      kind: 'done',
      status: 'failed',
    })
    expect((await deps.cashbacks.find(id as MerchantCashbackId))!.reversalReserved).toBe(0)
    expect(deps.ledger.entries.filter((e) => e.kind === 'reversal_credit')).toHaveLength(0)
  })
})

describe('link and grants', () => {
  it('a responseToken must carry the nonce of the session it names, for its own user', async () => {
    const deps = loyaltyDeps()
    const s = await startLink(deps, { userId: 'u1' })
    if (!s.ok) throw new Error(s.error.code)
    expect(s.value.linkUrl).toContain(s.value.id)
    const claims = {
      result: 'succeeded',
      nonce: s.value.nonce,
      userAuthorizationId: 'ua-9',
      referenceId: s.value.id,
      profileIdentifier: '***1234',
    }
    pay(deps).claims = { ...claims, nonce: 'wrong' }
    expect(await completeLink(deps, { responseToken: 't', userId: 'u1', requestId: 'r' })).toMatchObject({
      ok: false,
      error: { code: 'LINK_TOKEN_INVALID' },
    })
    pay(deps).claims = claims
    expect(await completeLink(deps, { responseToken: 't', userId: 'u2', requestId: 'r' })).toMatchObject({
      ok: false,
      error: { code: 'LINK_SESSION_NOT_FOUND' },
    })
    expect(await completeLink(deps, { responseToken: 't', userId: 'u1', requestId: 'r' })).toMatchObject({
      ok: true,
      value: { userAuthorizationId: 'ua-9', status: 'linked' },
    })
    // A retried completion answers the same link.
    expect(await completeLink(deps, { responseToken: 't', userId: 'u1', requestId: 'r' })).toMatchObject({ ok: true })
    pay(deps).claims = null
    expect(await completeLink(deps, { responseToken: 't', userId: 'u1', requestId: 'r' })).toMatchObject({
      ok: false,
      error: { code: 'LINK_TOKEN_INVALID' },
    })
  })

  it('a grant key grants once; the same key for another amount is a conflict', async () => {
    const deps = loyaltyDeps()
    const cmd = { userId: 'u1', points: 50, kind: 'earn' as const, reason: 'x', key: 'k1', actor: 'admin', requestId: 'r' }
    expect(await grantPoints(deps, cmd)).toMatchObject({ ok: true, value: { replayed: false } })
    expect(await grantPoints(deps, cmd)).toMatchObject({ ok: true, value: { replayed: true } })
    expect(await grantPoints(deps, { ...cmd, points: 60 })).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_KEY_REUSED' } })
    expect(await deps.ledger.balance('u1')).toBe(50)
  })

  it('exporting a date twice keeps one manifest entry and one object', async () => {
    const deps = loyaltyDeps()
    deps.history.rows = [
      {
        transactionType: 'cashback',
        merchantCashbackId: 'pcb_1',
        merchantCashbackReversalId: null,
        userId: 'u',
        amount: 5,
        currency: 'JPY',
        status: 'SUCCESS',
        requestedAt: null,
        completedAt: null,
      },
    ]
    const a = await exportHistory(deps, { businessDate: '2026-02-28', actor: 't' })
    const b = await exportHistory(deps, { businessDate: '2026-02-28', actor: 't' })
    expect(a.ok && b.ok && a.value.id === b.value.id).toBe(true)
    expect(deps.history.files.size).toBe(1)
    expect(await deps.files.list('paypay/history/')).toEqual(['paypay/history/ours/2026-02-28.csv'])
    // The scheduled run (00:00 JST) exports the JST day that just ended.
    deps.clock.set(new Date('2026-02-28T15:00:30Z'))
    const scheduled = await exportHistory(deps, { actor: 'schedule' })
    expect(scheduled.ok && scheduled.value.businessDate).toBe('2026-02-28')
  })
})
