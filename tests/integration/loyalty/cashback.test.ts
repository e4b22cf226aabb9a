import { SELF } from 'cloudflare:test'
import { sql } from 'drizzle-orm'
import { afterEach, describe, expect, it } from 'vitest'
import { DrizzleCashbackRepository } from '../../../src/loyalty/adapters/drizzle-cashback-repository.ts'
import type { MerchantCashbackId } from '../../../src/loyalty/domain/cashback.ts'
import { sharedDb } from '../db.ts'
import { adminToken, call } from '../helpers.ts'
import {
  cashback,
  checkCashbacks,
  checkReversals,
  exchange,
  exchanged,
  execSql,
  expectLedgerConsistent,
  give,
  grant,
  ledger,
  linkedUser,
  paypay,
  paypayCalls,
  reverse,
  settle,
} from './support.ts'

/**
 * Points → PayPay cashback against the PayPay sandbox: the Give job, lost answers, faults, 429s,
 * refusals, the callback that is never trusted, the 5-minute checks and reversals. The tests in
 * this file run one after another (they inject faults into the one shared sandbox).
 */
const callback = (body: string) =>
  SELF.fetch('http://worker.test/api/v1/paypay/cashback/callback', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as any,
  }))

afterEach(async () => {
  await paypay('DELETE', '/__control/faults')
})

describe('give cashback', () => {
  it('the job gives with the cashback’s own id; REQUEST_ACCEPTED → accepted; SUCCESS → succeeded', async () => {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const id = await exchanged(u, 400)
    const job = await give(id)
    expect(job.status).toBe(200)
    expect(job.body).toMatchObject({ outcome: 'done', cashback_status: 'accepted' })
    const calls = await paypayCalls(id, 'give_cashback')
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ status: 202, code: 'REQUEST_ACCEPTED', userAuthorizationId: u.userAuthorizationId })
    const state = (await paypay('GET', '/__control/state')).body
    expect(state.cashbacks.find((c: any) => c.merchantCashbackId === id)).toMatchObject({ amount: { amount: 400, currency: 'JPY' } })

    await settle(id, 'SUCCESS')
    const check = await checkCashbacks()
    expect(check.status).toBe(200)
    expect((await cashback(id)).cashback).toMatchObject({ status: 'succeeded', give_attempts: 1 })
    const mine = await call('GET', `/api/v1/paypay/cashbacks/${id}`, { token: u.token })
    expect(mine.body.cashback).toMatchObject({ status: 'succeeded', points: 400, amount: 400 })
    // A redelivery of the job after all that changes nothing and calls nobody.
    expect((await give(id)).body).toMatchObject({ outcome: 'skipped', reason: 'not_pending' })
    expect(await paypayCalls(id, 'give_cashback')).toHaveLength(1)
    expect(await expectLedgerConsistent(u.id)).toBe(600)
  })

  it('a lost Give answer is retried with the SAME merchantCashbackId and grants once', async () => {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const id = await exchanged(u, 250)
    await paypay('POST', '/__control/cashbacks/lose-next', { times: 1, delayMs: 50 })
    const first = await give(id)
    expect(first.status).toBe(503)
    expect((await cashback(id)).cashback.status).toBe('requested')
    const retry = await give(id)
    expect(retry.body).toMatchObject({ outcome: 'done', cashback_status: 'accepted' })
    const calls = await paypayCalls(id, 'give_cashback')
    expect(calls).toHaveLength(2)
    expect(calls.map((c) => c.merchantCashbackId)).toEqual([id, id])
    expect(calls[0].lost).toBe(true)
    const state = (await paypay('GET', '/__control/state')).body
    expect(state.cashbacks.filter((c: any) => c.merchantCashbackId === id)).toHaveLength(1)
    expect(state.cashbacks.filter((c: any) => c.userAuthorizationId === u.userAuthorizationId)).toHaveLength(1)
    expect(await expectLedgerConsistent(u.id)).toBe(750)
  })

  it('5xx and dropped connections are transient: retried with the same id', async () => {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const id = await exchanged(u, 100)
    await paypay('POST', '/__control/faults', { operation: 'give_cashback', kind: 'http_500' })
    expect((await give(id)).status).toBe(503)
    await paypay('POST', '/__control/faults', { operation: 'give_cashback', kind: 'reset' })
    expect((await give(id)).status).toBe(503)
    const c1 = (await cashback(id)).cashback
    expect(c1).toMatchObject({ status: 'requested', give_attempts: 2 })
    expect(c1.last_error).toBeTruthy()
    expect((await give(id)).body.cashback_status).toBe('accepted')
    const calls = await paypayCalls(id, 'give_cashback')
    expect(calls).toHaveLength(3)
    expect(new Set(calls.map((c) => c.merchantCashbackId))).toEqual(new Set([id]))
  })

  it('3 concurrent deliveries of one job make one PayPay call and apply once', async () => {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const id = await exchanged(u, 300)
    const runs = await Promise.all([give(id), give(id), give(id)])
    for (const r of runs) expect(r.status).toBe(200)
    expect(runs.filter((r) => r.body.outcome === 'done')).toHaveLength(1)
    expect(await paypayCalls(id, 'give_cashback')).toHaveLength(1)
    expect((await cashback(id)).cashback.status).toBe('accepted')
    expect(await expectLedgerConsistent(u.id)).toBe(700)
  })

  it('a refusal (the user unlinked at PayPay) fails the cashback and credits the points back exactly once', async () => {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const id = await exchanged(u, 400)
    await paypay('POST', `/__control/authorizations/${u.userAuthorizationId}/revoke`, { reason: 'revoked' })
    const job = await give(id)
    expect(job.status).toBe(200)
    expect(job.body.cashback_status).toBe('failed')
    expect((await cashback(id)).cashback).toMatchObject({ status: 'failed', failure_code: 'INVALID_USER_AUTHORIZATION_ID' })
    // Redeliveries, duplicate callbacks and checks change nothing more.
    await Promise.all([give(id), give(id), callback(JSON.stringify({ merchantCashbackId: id, status: 'FAILURE' })), checkCashbacks()])
    const l = await ledger(u.id)
    expect(l.entries.filter((e) => e.kind === 'refund_credit')).toEqual([expect.objectContaining({ points: 400, reference_id: id })])
    expect(await expectLedgerConsistent(u.id)).toBe(1000)
    // PayPay's refusal told us the link is dead.
    expect((await call('GET', '/api/v1/paypay/sessions', { token: u.token })).body.link.status).toBe('revoked')
    expect((await exchange(u.token, 100)).body.error.code).toBe('PAYPAY_LINK_EXPIRED')
  })

  it('429: backs off and retries the same request; all end up accepted, none given twice', async () => {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const id = await exchanged(u, 100)
    await paypay('POST', '/__control/faults', { operation: 'give_cashback', kind: 'http_429', times: 2 })
    const job = await give(id)
    expect(job.body).toMatchObject({ outcome: 'done', cashback_status: 'accepted' })
    const calls = await paypayCalls(id, 'give_cashback')
    expect(calls.map((c) => c.status)).toEqual([429, 429, 202])

    // A burst of 429s across concurrent jobs (only Give is throttled: other test files share the
    // sandbox): the backoff waits them out, redeliveries finish the rest, nothing is given twice.
    const ids = [await exchanged(u, 10), await exchanged(u, 10), await exchanged(u, 10), await exchanged(u, 10)]
    await paypay('POST', '/__control/faults', { operation: 'give_cashback', kind: 'http_429', times: 6 })
    for (let round = 0; round < 5; round++) {
      const pending = []
      for (const x of ids) if ((await cashback(x)).cashback.status === 'requested') pending.push(x)
      if (pending.length === 0) break
      await Promise.all(pending.map((x) => give(x)))
    }
    for (const x of ids) {
      expect((await cashback(x)).cashback.status).toBe('accepted')
      const calls = await paypayCalls(x, 'give_cashback')
      expect(calls.filter((c) => c.status === 202)).toHaveLength(1)
      expect(calls.every((c) => c.merchantCashbackId === x && (c.status === 202 || c.status === 429))).toBe(true)
    }
  })
})

describe('callback and 5-minute checks', () => {
  it('the callback body is never trusted: forged and garbage bodies change nothing, PayPay’s status is applied', async () => {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const id = await exchanged(u, 500)
    expect((await give(id)).body.cashback_status).toBe('accepted')

    const forgedSuccess = await callback(JSON.stringify({ notification_type: 'Cashback', merchantCashbackId: id, status: 'SUCCESS' }))
    expect(forgedSuccess.status).toBe(200)
    expect(forgedSuccess.body).toMatchObject({ received: true, applied: false })
    const forgedFailure = await callback(JSON.stringify({ merchantCashbackId: id, status: 'FAILURE' }))
    expect(forgedFailure.body.applied).toBe(false)
    // (A readable body naming no id at all makes a sweep of the due records: notifications-and-redrive.test.ts.)
    for (const junk of [
      'not json',
      '42',
      'null',
      JSON.stringify({ merchantCashbackId: 'pcb_does_not_exist', status: 'FAILURE' }),
      JSON.stringify({ merchantCashbackId: "'; drop table x" }),
    ]) {
      const r = await callback(junk)
      expect(r.status).toBe(200)
      expect(r.body.applied).toBe(false)
    }
    expect((await cashback(id)).cashback.status).toBe('accepted')
    expect(await expectLedgerConsistent(u.id)).toBe(500)
    // Each forged body made us read PayPay's own status.
    expect((await paypayCalls(id, 'check_cashback')).length).toBeGreaterThanOrEqual(2)

    await settle(id, 'SUCCESS')
    const lying = await callback(JSON.stringify({ merchantCashbackId: id, status: 'FAILURE' }))
    expect(lying.body).toMatchObject({ applied: true, status: 'succeeded' })
    // Duplicates, concurrent or not, change nothing.
    const dups = await Promise.all([1, 2, 3].map(() => callback(JSON.stringify({ merchantCashbackId: id, status: 'SUCCESS' }))))
    for (const d of dups) expect(d.body.applied).toBe(false)
    expect((await cashback(id)).cashback.status).toBe('succeeded')
    expect(await expectLedgerConsistent(u.id)).toBe(500)
  })

  it('FAILURE found by the check credits back once, whatever runs concurrently', async () => {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const id = await exchanged(u, 700)
    expect((await give(id)).body.cashback_status).toBe('accepted')
    await settle(id, 'FAILURE')
    const body = JSON.stringify({ merchantCashbackId: id })
    await Promise.all([checkCashbacks(), checkCashbacks(), checkCashbacks(), callback(body), callback(body), give(id)])
    expect((await cashback(id)).cashback).toMatchObject({ status: 'failed', failure_code: 'NOT_ENOUGH_MONEY' })
    const refunds = (await ledger(u.id)).entries.filter((e) => e.kind === 'refund_credit')
    expect(refunds).toEqual([expect.objectContaining({ points: 700, reference_id: id })])
    expect(await expectLedgerConsistent(u.id)).toBe(1000)
  })

  it('FAILURE after SUCCESS is refused by the lifecycle table (and by the guarded update)', async () => {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const id = await exchanged(u, 200)
    await give(id)
    await settle(id, 'SUCCESS')
    await checkCashbacks()
    expect((await cashback(id)).cashback.status).toBe('succeeded')
    const repo = new DrizzleCashbackRepository(sharedDb())
    const audit = { actor: 'test', action: 'x', entityType: 'paypay_cashback', entityId: id, requestId: 'test', at: new Date() }
    expect(await repo.transition(id as MerchantCashbackId, 'succeeded', 'fail', { at: new Date(), audit })).toBeNull()
    // A stale reader that still thinks it is accepted loses to the guard.
    expect(await repo.transition(id as MerchantCashbackId, 'accepted', 'fail', { at: new Date(), audit })).toBeNull()
    expect((await callback(JSON.stringify({ merchantCashbackId: id, status: 'FAILURE' }))).body.applied).toBe(false)
    expect((await cashback(id)).cashback.status).toBe('succeeded')
    expect(await expectLedgerConsistent(u.id)).toBe(800)
  })

  it('TRANSACTION_NOT_FOUND is waited out, then Give is re-sent with the same id', async () => {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const id = await exchanged(u, 150)
    // PayPay accepted it as far as we know, but does not know it (its FAQ case).
    await execSql(sql`update paypay_cashbacks set status = 'accepted', accepted_at = now() where merchant_cashback_id = ${id}`)
    await checkCashbacks({ not_found_resend_after_seconds: 3600 })
    expect(await paypayCalls(id, 'give_cashback')).toHaveLength(0)
    expect((await cashback(id)).cashback).toMatchObject({ status: 'accepted', last_error: 'TRANSACTION_NOT_FOUND' })
    await checkCashbacks({ not_found_resend_after_seconds: 0 })
    const gives = await paypayCalls(id, 'give_cashback')
    expect(gives).toHaveLength(1)
    expect(gives[0]).toMatchObject({ merchantCashbackId: id, status: 202 })
    await settle(id, 'SUCCESS')
    await checkCashbacks()
    expect((await cashback(id)).cashback.status).toBe('succeeded')
    expect(await expectLedgerConsistent(u.id)).toBe(850)
  })

  it('a cashback whose job was lost is re-driven by the check, with its own id', async () => {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const id = await exchanged(u, 120)
    await checkCashbacks()
    expect(await paypayCalls(id, 'give_cashback')).toHaveLength(0)
    await execSql(sql`update paypay_cashbacks set requested_at = now() - interval '1 hour' where merchant_cashback_id = ${id}`)
    await checkCashbacks()
    expect((await cashback(id)).cashback.status).toBe('accepted')
    expect(await paypayCalls(id, 'give_cashback')).toHaveLength(1)
  })
})

describe('reversal', () => {
  async function granted(points: number) {
    const u = await linkedUser()
    await grant(u.id, 1000)
    const id = await exchanged(u, points)
    await give(id)
    await settle(id, 'SUCCESS')
    await checkCashbacks()
    expect((await cashback(id)).cashback.status).toBe('succeeded')
    return { u, id }
  }
  const startReversal = async (id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call('POST', `/api/admin/loyalty/cashbacks/${id}/reversals`, { token: await adminToken(), body, headers })

  it('partial then full: each SUCCESS credits exactly the amount PayPay reversed', async () => {
    const { u, id } = await granted(300)
    expect(await expectLedgerConsistent(u.id)).toBe(700)
    const r1 = await startReversal(id, { amount: 100, reason: 'customer asked' })
    expect(r1.status).toBe(202)
    const rid = r1.body.reversal.merchant_cashback_reversal_id
    expect(rid).toMatch(/^pcr_/)
    expect((await reverse(rid)).body).toMatchObject({ outcome: 'done', reversal_status: 'accepted' })
    // The user had spent some: PayPay took back only 60 of the 100.
    expect((await paypay('POST', `/__control/reversals/${rid}/settle`, { outcome: 'SUCCESS', amount: 60 })).status).toBe(200)
    await Promise.all([checkReversals(), checkReversals(), checkReversals()])
    const after1 = await cashback(id)
    expect(after1.reversals[0]).toMatchObject({ status: 'succeeded', amount: 100, reversed_amount: 60 })
    expect(after1.cashback).toMatchObject({ reversed_amount: 60, reversal_reserved: 60 })
    expect(await expectLedgerConsistent(u.id)).toBe(760)

    const tooMuch = await startReversal(id, { amount: 241 })
    expect(tooMuch.status).toBe(409)
    expect(tooMuch.body.error).toMatchObject({ code: 'REVERSAL_AMOUNT_TOO_LARGE', details: { reversible: 240 } })
    const rest = await startReversal(id, {})
    expect(rest.body.reversal.amount).toBe(240)
    await reverse(rest.body.reversal.merchant_cashback_reversal_id)
    await paypay('POST', `/__control/reversals/${rest.body.reversal.merchant_cashback_reversal_id}/settle`, { outcome: 'SUCCESS' })
    await checkReversals()
    const credits = (await ledger(u.id)).entries.filter((e) => e.kind === 'reversal_credit').map((e) => e.points)
    expect(credits).toEqual([60, 240])
    expect(await expectLedgerConsistent(u.id)).toBe(1000)
    expect((await startReversal(id, {})).body.error.code).toBe('CASHBACK_NOT_REVERSIBLE')
  })

  it('a failed reversal credits nothing and frees its amount; only granted cashbacks reverse; Idempotency-Key replays', async () => {
    const { u, id } = await granted(200)
    const key = `rev-${Date.now()}`
    const r = await startReversal(id, { amount: 150 }, { 'idempotency-key': key })
    const replay = await startReversal(id, { amount: 150 }, { 'idempotency-key': key })
    expect(replay.body.reversal.merchant_cashback_reversal_id).toBe(r.body.reversal.merchant_cashback_reversal_id)
    const rid = r.body.reversal.merchant_cashback_reversal_id
    await reverse(rid)
    expect((await paypay('POST', `/__control/reversals/${rid}/settle`, { outcome: 'FAILURE' })).status).toBe(200)
    await checkReversals()
    const c = await cashback(id)
    expect(c.reversals[0]).toMatchObject({ status: 'failed', reversed_amount: null })
    expect(c.cashback).toMatchObject({ reversal_reserved: 0, reversed_amount: 0 })
    expect((await ledger(u.id)).entries.filter((e) => e.kind === 'reversal_credit')).toHaveLength(0)
    expect(await expectLedgerConsistent(u.id)).toBe(800)

    const pendingId = await exchanged(u, 50)
    const notYet = await startReversal(pendingId, { amount: 10 })
    expect(notYet.status).toBe(409)
    expect(notYet.body.error.code).toBe('CASHBACK_NOT_REVERSIBLE')
    expect((await call('POST', `/api/admin/loyalty/cashbacks/${id}/reversals`, { token: u.token, body: {} })).status).toBe(403)
  })
})
