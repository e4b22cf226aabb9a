import { describe, expect, it } from 'vitest'
import { adminToken, call, uniq } from '../integration/helpers.ts'
import { approveLink, exchange, exchanged, give, grant, linkedUser, newUser, reverse, settle } from '../integration/loyalty/support.ts'
import { measure, recordBudget, type Counts } from './round-trips.ts'

/**
 * Seeds 000/001 (points → PayPay cashback): the exchange is one statement (link and key read,
 * guarded debit, ledger entry, cashback row, audit row), each PayPay status transition and the
 * credit-back of a failed cashback one statement after the read that decides whether PayPay is
 * asked, and every GET one statement.
 */

function expectBudget(name: string, c: Counts, statements: number, redisCalls = 0) {
  recordBudget(name, c)
  expect(c.statements, name).toBe(statements)
  expect(c.redisCalls, name).toBe(redisCalls)
  expect(c.roundTrips, name).toBeLessThanOrEqual(2 * c.statements)
}

describe('loyalty round trips', () => {
  it('points exchange: one statement; with an Idempotency-Key the same plus the key’s two Redis calls', async () => {
    const u = await linkedUser('bud')
    await grant(u.id, 1000)

    const first = await measure(() => exchange(u.token, 100))
    expect(first.result.status, JSON.stringify(first.result.body)).toBe(201)
    expectBudget('POST /mypage/point_input', first.settled, 1)

    const keyed = await measure(() => exchange(u.token, 100, { 'idempotency-key': `k-${uniq()}` }))
    expect(keyed.result.status).toBe(201)
    expectBudget('POST /mypage/point_input (Idempotency-Key)', keyed.settled, 1, 2)

    const refused = await measure(() => exchange(u.token, 5000))
    expect(refused.result.status).toBe(409)
    expect(refused.result.body.error.code).toBe('INSUFFICIENT_POINTS')
    expectBudget('POST /mypage/point_input (insufficient)', refused.settled, 1)
  })

  it('admin grant: one statement', async () => {
    const u = await linkedUser('bud')
    const admin = await adminToken()
    const res = await measure(() =>
      call('POST', '/api/admin/loyalty/points', {
        token: admin,
        body: { user_id: u.id, points: 500, reason: 'budget', idempotency_key: `g-${uniq()}` },
      }),
    )
    expect(res.result.status).toBe(201)
    expect(res.result.body.balance).toBe(500)
    expectBudget('POST /api/admin/loyalty/points', res.settled, 1)
  })

  it('give job: the lease taken with its read, PayPay’s answer recorded with the lease’s release', async () => {
    const u = await linkedUser('bud')
    await grant(u.id, 300)
    const id = await exchanged(u, 300)
    const res = await measure(() => give(id))
    expect(res.result.body).toMatchObject({ outcome: 'done', cashback_status: 'accepted' })
    expectBudget('job loyalty.give-cashback (accepted)', res.settled, 2, 1)
  })

  it('notification: SUCCESS is one read and one transition; FAILURE credits back in that one transition', async () => {
    const u = await linkedUser('bud')
    await grant(u.id, 600)
    const ok = await exchanged(u, 300)
    const bad = await exchanged(u, 300)
    await give(ok)
    await give(bad)
    await settle(ok, 'SUCCESS')
    await settle(bad, 'FAILURE')

    const success = await measure(() => call('POST', '/api/v1/paypay/cashback/callback', { body: { merchantCashbackId: ok } }))
    expect(success.result.body).toMatchObject({ applied: true, status: 'succeeded' })
    expectBudget('POST /api/v1/paypay/cashback/callback (SUCCESS)', success.settled, 2, 1)

    const failure = await measure(() => call('POST', '/api/v1/paypay/cashback/callback', { body: { merchantCashbackId: bad } }))
    expect(failure.result.body).toMatchObject({ applied: true, status: 'failed' })
    expectBudget('POST /api/v1/paypay/cashback/callback (FAILURE, credit-back)', failure.settled, 2, 1)

    const points = await call('GET', '/api/v1/points', { token: u.token })
    expect(points.body.balance).toBe(300)
    expect(points.body.entries[0]).toMatchObject({ kind: 'refund_credit', points: 300, reference_id: bad })

    // Reversing the granted one: one read (cashback + earlier reversal under the key), one guarded reservation.
    const admin = await adminToken()
    const started = await measure(() =>
      call('POST', `/api/admin/loyalty/cashbacks/${ok}/reversals`, { token: admin, body: { amount: 100 } }),
    )
    expect(started.result.status, JSON.stringify(started.result.body)).toBe(202)
    expectBudget('POST /api/admin/loyalty/cashbacks/:id/reversals', started.settled, 2)
    const reversed = await measure(() => reverse(started.result.body.reversal.merchant_cashback_reversal_id))
    expect(reversed.result.body).toMatchObject({ outcome: 'done', reversal_status: 'accepted' })
    expectBudget('job loyalty.reverse-cashback (accepted)', reversed.settled, 2, 1)
  })

  it('linking: the session read, then (after PayPay’s authorization status) the session, link and audit row in one statement', async () => {
    const u = await newUser('bud')
    const { responseToken } = await approveLink(u.token)
    const res = await measure(() => call('PUT', '/api/v1/paypay/update_session', { token: u.token, body: { responseToken } }))
    expect(res.result.status, JSON.stringify(res.result.body)).toBe(200)
    expectBudget('PUT /api/v1/paypay/update_session', res.settled, 2, 1)
  })

  it('history files: a file’s rows and content are one statement; its reconciliation is two (the file, then our rows it names)', async () => {
    const u = await linkedUser('bud')
    await grant(u.id, 100)
    const id = await exchanged(u, 100)
    const admin = await adminToken()
    const content = ['merchant_cashback_id,amount,status', `${id},100,SUCCESS`].join('\n')
    const up = await call('POST', '/api/admin/loyalty/history-files', { token: admin, body: { business_date: '2031-01-02', content } })
    expect(up.status, JSON.stringify(up.body)).toBe(201)
    const fileId = up.body.file.file_id as string
    for (const [path, statements] of [
      [`/api/admin/loyalty/history-files/${fileId}/rows`, 1],
      [`/api/admin/loyalty/history-files/${fileId}/reconciliation`, 2],
    ] as const) {
      const res = await measure(() => call('GET', path, { token: admin }))
      expect(res.result.status, JSON.stringify(res.result.body)).toBe(200)
      expectBudget(`GET ${path.replace(fileId, ':file_id')}`, res.settled, statements)
    }
  })

  it('every loyalty GET: one statement', async () => {
    const u = await linkedUser('bud')
    await grant(u.id, 200)
    const id = await exchanged(u, 100)
    const admin = await adminToken()
    const gets: Array<[string, string]> = [
      ['/api/v1/points', u.token],
      ['/mypage/points_exchange', u.token],
      ['/api/v1/paypay/sessions', u.token],
      ['/api/v1/paypay/cashbacks', u.token],
      [`/api/v1/paypay/cashbacks/${id}`, u.token],
      [`/api/admin/loyalty/users/${u.id}/points`, admin],
      ['/api/admin/loyalty/cashbacks', admin],
      [`/api/admin/loyalty/cashbacks/${id}`, admin],
      ['/api/admin/loyalty/history-files', admin],
    ]
    for (const [path, token] of gets) {
      const res = await measure(() => call('GET', path, { token }))
      expect(res.result.status, `${path}: ${JSON.stringify(res.result.body)}`).toBe(200)
      expectBudget(`GET ${path.replace(id, ':id').replace(u.id, ':user_id')}`, res.settled, 1)
    }
  })
})
