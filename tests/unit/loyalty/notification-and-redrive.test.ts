import { describe, expect, it } from 'vitest'
import { findNotificationIds } from '../../../src/loyalty/domain/notification.ts'
import { exchangePoints } from '../../../src/loyalty/use-cases/exchange-points.ts'
import { giveCashback } from '../../../src/loyalty/use-cases/give-cashback.ts'
import { redrivePendingGrants } from '../../../src/loyalty/use-cases/redrive-grants.ts'
import { type FakePayPay, linked, loyaltyDeps, transient } from './fakes.ts'

const CB = 'pcb_01JQ8Z6V2K3M4N5P6Q7R8S9T0V'
const RV = 'pcr_01JQ8Z6V2K3M4N5P6Q7R8S9T0W'

describe('finding the ids in a notification', () => {
  it('top level, nested, in arrays, in a JSON string, under any spelling', () => {
    expect(findNotificationIds({ merchantCashbackId: CB }).cashbackIds).toEqual([CB])
    expect(findNotificationIds({ data: { merchant_cashback_id: CB } }).cashbackIds).toEqual([CB])
    expect(findNotificationIds({ notification: { cashback: { MerchantCashbackID: CB } } }).cashbackIds).toEqual([CB])
    expect(findNotificationIds([{ events: [{ id: CB }] }]).cashbackIds).toEqual([CB])
    expect(findNotificationIds({ data: JSON.stringify({ merchantCashbackId: CB }) }).cashbackIds).toEqual([CB])
    const reversal = findNotificationIds({ data: { merchantCashbackReversalId: RV, merchantCashbackId: CB } })
    expect(reversal).toEqual({ cashbackIds: [CB], reversalIds: [RV], foreign: [] })
  })

  it('values under id keys that are not ours are foreign; other fields are never ids', () => {
    expect(findNotificationIds({ merchantRefundId: 'r-123', merchant_order_id: 42, status: 'SUCCESS' })).toEqual({
      cashbackIds: [],
      reversalIds: [],
      foreign: ['r-123', '42'],
    })
    expect(findNotificationIds({ status: 'SUCCESS', cashbackId: '000111', notification_type: 'Cashback' })).toEqual({
      cashbackIds: [],
      reversalIds: [],
      foreign: [],
    })
    expect(findNotificationIds({ merchantCashbackId: `${CB}x` }).cashbackIds).toEqual([])
  })

  it('is bounded: deep nesting and huge bodies are cut off', () => {
    let deep: unknown = { merchantCashbackId: CB }
    for (let i = 0; i < 20; i++) deep = { data: deep }
    expect(findNotificationIds(deep).cashbackIds).toEqual([])
    const many = Array.from({ length: 50 }, (_, i) => ({ merchantCashbackId: `pcb_01JQ8Z6V2K3M4N5P6Q7R8S9T${String(i).padStart(2, '0')}` }))
    expect(findNotificationIds(many).cashbackIds).toHaveLength(5)
  })
})

describe('daily re-drive of grants PayPay has not accepted', () => {
  async function setup() {
    const deps = loyaltyDeps()
    await linked(deps, 'u1', 1000)
    const ids = []
    for (let i = 0; i < 3; i++) {
      const r = await exchangePoints(deps, { userId: 'u1', points: 100, requestKey: null, requestId: 'r' })
      if (!r.ok) throw new Error(r.error.code)
      ids.push(r.value.cashback.merchantCashbackId)
    }
    return { deps, ids: ids.sort(), pay: deps.paypay as FakePayPay }
  }

  it('two concurrent runs give each pending grant once, with its own id; accepted ones are not touched', async () => {
    const { deps, ids, pay } = await setup()
    await giveCashback(deps, ids[0]!, { requestId: 'r' })
    deps.clock.advance(10 * 60_000)
    const [a, b] = await Promise.all([redrivePendingGrants(deps, { requestId: 'd1' }), redrivePendingGrants(deps, { requestId: 'd2' })])
    expect(a.redriven + b.redriven).toBe(2)
    for (const id of ids) expect(pay.calls.filter((c) => c.op === 'give' && c.id === id)).toHaveLength(1)
    for (const id of ids) expect((await deps.cashbacks.find(id))!.status).toBe('accepted')
  })

  it('young grants wait for their job; a full page publishes a follow-up deduplicated by its cursor; transient stays pending', async () => {
    const { deps, ids, pay } = await setup()
    expect((await redrivePendingGrants(deps, { requestId: 'd' })).pending).toBe(0)
    deps.clock.advance(10 * 60_000)
    pay.next('give', transient('INTERNAL_SERVER_ERROR'))
    const first = await redrivePendingGrants(deps, { requestId: 'd', limit: 2 })
    expect(first).toMatchObject({ pending: 2, retry: 1, redriven: 1, continued_after: ids[1] })
    expect(deps.queue.published.at(-1)).toMatchObject({ name: 'loyalty.redrive-grants', payload: { after: ids[1], limit: 2 } })
    expect(deps.queue.published.at(-1)!.deduplicationId).toContain(ids[1])
    const rest = await redrivePendingGrants(deps, { requestId: 'd', limit: 2, after: ids[1] })
    expect(rest).toMatchObject({ pending: 1, redriven: 1, continued_after: null })
    expect((await deps.cashbacks.find(ids[0]!))!.status).toBe('requested')
  })
})
