import { env } from 'cloudflare:test'
import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { stockRow } from '../commerce/fixtures.ts'
import { call } from '../helpers.ts'
import { deliver, pendingPayment, recordedWebhook, sandbox } from '../payments/paystack-helpers.ts'

/**
 * A Postgres connection dropped in the middle of the charge.success settlement: the test holds the
 * order row, so the settlement (which has already marked the payment paid inside its transaction)
 * waits on it; the test finds that waiting backend through pg_blocking_pids, terminates it, lets
 * go, and checks nothing of the half-done transaction survived; redelivery then completes it once.
 */
const sqlClient = () =>
  postgres((env as unknown as { HYPERDRIVE: Hyperdrive }).HYPERDRIVE.connectionString, { max: 1, fetch_types: false })

describe('Postgres connection dropped mid-fulfilment', () => {
  it('Paystack charge.success: no half state, and the redelivered webhook completes it exactly once', async () => {
    const p = await pendingPayment({ stock: 5, quantity: 2 })
    await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })
    const webhook = await recordedWebhook(p.reference, 'charge.success')

    const holder = sqlClient()
    const probe = sqlClient()
    let release!: () => void
    const released = new Promise<void>((r) => (release = r))
    let locked!: (pid: number) => void
    const lockHeld = new Promise<number>((r) => (locked = r))
    const holding = holder.begin(async (tx) => {
      await tx`select id from orders where id = ${p.orderId} for update`
      const [me] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`
      locked(me!.pid)
      await released
    })
    const holderPid = await lockHeld

    const first = deliver(webhook)
    // The settlement's backend, waiting on our lock: it has already updated the payment row.
    let victim = 0
    await expect
      .poll(async () => {
        const [row] = await probe<{ pid: number }[]>`select pid from pg_stat_activity where ${holderPid}::int = any(pg_blocking_pids(pid))`
        victim = row?.pid ?? 0
        return victim
      }, { timeout: 10_000 })
      .toBeGreaterThan(0)
    const [terminated] = await probe<{ ok: boolean }[]>`select pg_terminate_backend(${victim}::int) as ok`
    expect(terminated!.ok).toBe(true)
    release()
    await holding

    const answer = await first
    expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(500)

    // No half state.
    const [payment] = await probe<{ status: string; paid_at: Date | null }[]>`select status, paid_at from payments where reference = ${p.reference}`
    expect(payment).toMatchObject({ status: 'initialized', paid_at: null })
    const [order] = await probe<{ status: string }[]>`select status from orders where id = ${p.orderId}`
    expect(order!.status).toBe('awaiting_payment')
    expect(await stockRow(p.variantId)).toMatchObject({ stock: 5, reserved: 2 })
    const outbox = await probe`select id from outbox where deduplication_id like ${'%' + p.orderId + '%'} or deduplication_id like ${'%' + p.paymentId + '%'}`
    expect(outbox).toHaveLength(0)
    const audits = await probe`select action from audit_log where entity_id in (${p.paymentId}, ${p.orderId}) and action in ('payment.paid', 'order.paid', 'inventory.committed')`
    expect(audits).toHaveLength(0)
    const events = await probe<{ status: string }[]>`select status from webhook_events where event_key = ${'charge.success:' + p.reference}`
    for (const e of events) expect(e.status).not.toBe('processed')

    // Paystack redelivers (twice, at once): fulfilled once.
    const retries = await Promise.all([deliver(webhook), deliver(webhook)])
    expect(retries.map((r) => r.status)).toEqual([200, 200])
    const outcomes = retries.map((r) => r.body.status === 'duplicate' ? 'duplicate' : r.body.outcome).sort()
    expect(outcomes).toEqual(['duplicate', 'fulfilled'])
    const [paid] = await probe<{ status: string }[]>`select status from payments where reference = ${p.reference}`
    expect(paid!.status).toBe('paid')
    expect(await stockRow(p.variantId)).toMatchObject({ stock: 3, reserved: 0 })
    expect(await probe`select id from outbox where deduplication_id like ${'%' + p.paymentId + '%'} or deduplication_id like ${'%' + p.orderId + '%'}`).toHaveLength(3)
    const done = await probe<{ status: string }[]>`select status from webhook_events where event_key = ${'charge.success:' + p.reference}`
    expect(done.map((e) => e.status)).toEqual(['processed'])
    expect((await call('GET', `/api/v1/orders/${p.orderId}`, { token: p.user })).body.order.status).toBe('paid')
  })
})
