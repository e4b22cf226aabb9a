import { SELF } from 'cloudflare:test'
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { prefixedId } from '../../../src/shared/ids.ts'
import { runJob } from '../commerce/jobs.ts'
import { adminToken, call } from '../helpers.ts'
import {
  cashback,
  exchanged,
  execSql,
  expectLedgerConsistent,
  give,
  grant,
  linkedUser,
  paypay,
  paypayCalls,
  reverse,
  settle,
} from './support.ts'

/**
 * Issue 14 items 5 and 6 against the PayPay sandbox: PayPay notifications in whatever shape they
 * come (the record is always re-read from PayPay), the bounded check a notification without an id
 * triggers, and the daily 00:00 JST re-drive of grants PayPay has not accepted. Runs alone (after
 * the parallel tier): the sweep and the re-drive act on every due record, and another file's
 * checks must not settle these records first.
 */
const notify = async (body: string | FormData, contentType?: string) => {
  const res = await SELF.fetch('http://worker.test/api/v1/paypay/cashback/callback', {
    method: 'POST',
    ...(contentType && { headers: { 'content-type': contentType } }),
    body,
  })
  return { status: res.status, body: (await res.json()) as any }
}
const json = (value: unknown) => notify(JSON.stringify(value), 'application/json')

/** A cashback PayPay accepted and has granted (SUCCESS there, still accepted here). */
async function grantedAtPayPay(points = 100): Promise<{ userId: string; id: string }> {
  const u = await linkedUser('ntf')
  await grant(u.id, 1000)
  const id = await exchanged(u, points)
  expect((await give(id)).body.cashback_status).toBe('accepted')
  await settle(id, 'SUCCESS')
  return { userId: u.id, id }
}

const auditActors = async (id: string, action: string) =>
  (await execSql(sql`select actor from audit_log where entity_id = ${id} and action = ${action}`)).map((r) => r.actor as string)

async function eventually(what: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms
  while (!(await what())) {
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('PayPay notifications: any shape, always re-read from PayPay', () => {
  it('top level (the sandbox’s shape): the id is re-read, the body’s status ignored', async () => {
    const { userId, id } = await grantedAtPayPay()
    const res = await json({ notification_type: 'Cashback', merchantCashbackId: id, status: 'FAILURE' })
    expect(res).toEqual({ status: 200, body: { received: true, applied: true, status: 'succeeded' } })
    expect(await auditActors(id, 'cashback.succeeded')).toEqual(['system:callback'])
    expect(await expectLedgerConsistent(userId)).toBe(900)
  })

  it('nested under data / notification / cashback, snake_case, or as a JSON string', async () => {
    for (const shape of [
      (id: string) => ({ data: { merchant_cashback_id: id, status: 'SUCCESS' } }),
      (id: string) => ({ type: 'cashback', notification: { cashback: { merchantCashbackId: id } } }),
      (id: string) => ({ events: [{ data: JSON.stringify({ merchantCashbackId: id }) }] }),
    ]) {
      const { id } = await grantedAtPayPay()
      const res = await json(shape(id))
      expect(res.body, JSON.stringify(shape(id))).toEqual({ received: true, applied: true, status: 'succeeded' })
      expect((await cashback(id)).cashback.status).toBe('succeeded')
    }
  })

  it('form bodies: urlencoded, multipart, and a form sent without its content type', async () => {
    const a = await grantedAtPayPay()
    const urlencoded = await notify(
      new URLSearchParams({ notification_type: 'Cashback', merchant_cashback_id: a.id, status: 'SUCCESS' }).toString(),
      'application/x-www-form-urlencoded',
    )
    expect(urlencoded.body).toEqual({ received: true, applied: true, status: 'succeeded' })

    const b = await grantedAtPayPay()
    const form = new FormData()
    form.set('data', JSON.stringify({ merchantCashbackId: b.id }))
    expect((await notify(form)).body).toEqual({ received: true, applied: true, status: 'succeeded' })

    const c = await grantedAtPayPay()
    expect((await notify(`merchantCashbackId=${c.id}`, 'text/plain')).body).toEqual({ received: true, applied: true, status: 'succeeded' })
  })

  it('a reversal notification re-reads the reversal it names', async () => {
    const { userId, id } = await grantedAtPayPay(300)
    expect((await json({ merchantCashbackId: id })).body.status).toBe('succeeded')
    const started = await call('POST', `/api/admin/loyalty/cashbacks/${id}/reversals`, { token: await adminToken(), body: { amount: 100 } })
    expect(started.status).toBe(202)
    const rid = started.body.reversal.merchant_cashback_reversal_id
    expect((await reverse(rid)).body.reversal_status).toBe('accepted')
    expect((await paypay('POST', `/__control/reversals/${rid}/settle`, { outcome: 'SUCCESS', amount: 100 })).status).toBe(200)
    const res = await json({ notification_type: 'CashbackReversal', data: { merchantCashbackReversalId: rid, merchantCashbackId: id } })
    expect(res.body).toEqual({ received: true, applied: true, status: 'succeeded' })
    expect(await expectLedgerConsistent(userId)).toBe(800)
  })

  it('an unknown id, ours in shape or not, is acknowledged and changes nothing; nothing is swept', async () => {
    const { id } = await grantedAtPayPay()
    const unknown = prefixedId('pcb')
    for (const body of [
      { merchantCashbackId: unknown },
      { merchantCashbackId: 'ORDER-2024-0001', status: 'SUCCESS' },
      { merchantRefundId: 'rf-1' },
    ]) {
      expect(await json(body)).toEqual({ status: 200, body: { received: true, applied: false } })
    }
    expect(await paypayCalls(unknown)).toEqual([])
    await new Promise((r) => setTimeout(r, 500))
    expect((await cashback(id)).cashback.status).toBe('accepted')
    expect(await paypayCalls(id, 'check_cashback')).toEqual([])
  })
})

describe('a notification without an id checks the due records', () => {
  it('garbage changes nothing; a readable body naming nothing settles a due record from PayPay’s status', async () => {
    const { userId, id } = await grantedAtPayPay(250)
    // Due long ago, never checked: first in the sweep's order.
    await execSql(sql`update paypay_cashbacks set accepted_at = '1990-01-01T00:00:00Z' where merchant_cashback_id = ${id}`)

    for (const [body, type] of [
      ['not json {', 'application/json'],
      ['\u0000\u00ff\u00fe binary', 'application/octet-stream'],
      ['42', 'application/json'],
      ['', 'application/json'],
      ['<xml/>', 'text/xml'],
    ] as const) {
      expect(await notify(body, type), JSON.stringify(body)).toEqual({ status: 200, body: { received: true, applied: false } })
    }
    await new Promise((r) => setTimeout(r, 500))
    expect((await cashback(id)).cashback.status).toBe('accepted')
    expect(await paypayCalls(id, 'check_cashback')).toEqual([])

    expect(await json({ notification_type: 'Cashback', status: 'SUCCESS' })).toEqual({
      status: 200,
      body: { received: true, applied: false, sweep: true },
    })
    await eventually(async () => (await cashback(id)).cashback.status === 'succeeded')
    expect(await auditActors(id, 'cashback.succeeded')).toEqual(['system:notification'])
    expect(await paypayCalls(id, 'give_cashback')).toHaveLength(1)
    expect(await expectLedgerConsistent(userId)).toBe(750)
  })
})

describe('daily 00:00 JST re-drive of grants PayPay has not accepted', () => {
  it('two concurrent deliveries give each pending grant once, with its own id; an accepted grant is not touched', async () => {
    const u = await linkedUser('rdv')
    await grant(u.id, 1000)
    const pending = [await exchanged(u, 100), await exchanged(u, 200)]
    const accepted = await exchanged(u, 300)
    expect((await give(accepted)).body.cashback_status).toBe('accepted')
    // Their Give jobs were lost an hour ago.
    for (const id of [...pending, accepted]) {
      await execSql(sql`update paypay_cashbacks set requested_at = now() - interval '1 hour' where merchant_cashback_id = ${id}`)
    }

    const runs = await Promise.all([1, 2].map(() => runJob('loyalty.redrive-grants', { older_than_seconds: 1800 })))
    for (const r of runs) expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(runs.reduce((n, r) => n + r.body.report.redriven, 0)).toBeGreaterThanOrEqual(2)
    for (const id of pending) {
      const gives = await paypayCalls(id, 'give_cashback')
      expect(gives.map((g) => [g.merchantCashbackId, g.status])).toEqual([[id, 202]])
      expect((await cashback(id)).cashback).toMatchObject({ status: 'accepted', give_attempts: 1 })
    }
    expect(await paypayCalls(accepted, 'give_cashback')).toHaveLength(1)
    expect((await cashback(accepted)).cashback).toMatchObject({ status: 'accepted', give_attempts: 1 })

    // Nothing pending any more: a third run sends nothing for them.
    await runJob('loyalty.redrive-grants', { older_than_seconds: 1800 })
    for (const id of [...pending, accepted]) expect(await paypayCalls(id, 'give_cashback')).toHaveLength(1)
    expect(await expectLedgerConsistent(u.id)).toBe(400)
  })
})
