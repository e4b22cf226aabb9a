/**
 * A flash sale: one variant with limited stock and 64 buyers at once, each placing an order,
 * initialising its payment, paying on the Paystack sandbox and having the signed charge.success
 * delivered twice at the same moment (Paystack delivers at least once), until the stock is gone.
 * Bounded by the stock, per-buyer attempts and a deadline. Afterwards the database, read directly
 * (not through the proxy), must show no oversell and nothing applied twice.
 */
import postgres from 'postgres'
import { devToken } from '../../tools/dev/stack.ts'
import { REQUEST_TIMEOUT_MS, type BenchClient } from '../client.ts'
import { createVariants, settleOnPaystack } from '../fixtures.ts'
import { round } from '../lib.ts'
import { chargeSuccess } from '../fixtures.ts'
import { label } from './endpoints.ts'
import type { EdgeStack } from './stack.ts'

export interface FlashSale {
  rttMs: number
  buyers: number
  stock: number
  seconds: number
  ordersAccepted: number
  ordersPerSecond: number
  settledPayments: number
  settledPerSecond: number
  outcomes: Record<string, number>
  /** Paid quantity and stock committed beyond the stock (must be 0). */
  oversell: number
  /** Events applied by both deliveries, orders paid twice, stock committed beyond what was paid (must be 0). */
  appliedTwice: number
  paidQuantity: number
  committedQuantity: number
  timedOut: boolean
}

const MAX_CONSECUTIVE_FAILURES = 5

export async function flashSale(
  s: EdgeStack,
  c: BenchClient,
  rttMs: number,
  opts: { buyers: number; stock: number; deadlineMs: number },
): Promise<FlashSale> {
  const rid = `${Date.now().toString(36).toUpperCase()}`
  const [variant] = await createVariants(c, s.adminToken, `flash ${rid} ${rttMs}ms`, 1, opts.stock)
  const tokens = await Promise.all(Array.from({ length: opts.buyers }, (_, b) => devToken(`bench-flash-${rid}-${b}`, [])))
  const outcomes: Record<string, number> = {}
  const tally = (k: string) => void (outcomes[k] = (outcomes[k] ?? 0) + 1)
  let ordersAccepted = 0
  let settled = 0
  let bothProcessed = 0
  let lastOrderAt = 0
  let lastSettledAt = 0
  let timedOut = false
  const t0 = performance.now()
  const deadline = t0 + opts.deadlineMs

  const buyer = async (b: number) => {
    const token = tokens[b]!
    let failures = 0
    // No buyer can succeed more often than there is stock: the attempt bound.
    for (let attempt = 0; attempt < opts.stock && failures < MAX_CONSECUTIVE_FAILURES; attempt++) {
      if (performance.now() > deadline) return void (timedOut = true)
      try {
        const order = await c.api('POST', '/api/v1/orders', { token, body: { items: [{ variant_id: variant, quantity: 1 }] } })
        tally(`order ${label(order)}`)
        if (order.status === 409) return // sold out
        if (order.status !== 201) {
          failures++
          continue
        }
        ordersAccepted++
        lastOrderAt = performance.now()
        const init = await c.api('POST', `/api/v1/orders/${order.body.order_id}/payments`, { token, body: { email: 'flash@example.test' } })
        tally(`initialise ${label(init)}`)
        if (init.status !== 201 || !init.body?.reference) {
          failures++
          continue
        }
        const [charge] = await settleOnPaystack(s.urls.paystack, [init.body.reference])
        if (!charge) throw new Error('the sandbox did not settle the charge')
        const { body, signature } = chargeSuccess(charge)
        const deliveries = await Promise.all(
          [0, 1].map(async () => {
            const res = await fetch(`${s.base}/webhooks/paystack`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-paystack-signature': signature },
              body,
              signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            })
            const text = await res.text()
            let json: any = null
            try {
              json = JSON.parse(text)
            } catch {
              // not JSON
            }
            const what = res.status === 200 ? String(json?.status ?? 'unknown') : label({ status: res.status, body: json })
            tally(`webhook ${what}`)
            return what
          }),
        )
        const processed = deliveries.filter((d) => d === 'processed').length
        if (processed >= 1) {
          settled++
          lastSettledAt = performance.now()
        }
        if (processed === 2) bothProcessed++
        failures = 0
      } catch (e) {
        tally(`error:${(e as Error).message.slice(0, 60)}`)
        failures++
      }
    }
  }
  await Promise.all(tokens.map((_, b) => buyer(b)))
  const seconds = (performance.now() - t0) / 1000

  const { v, paid, twice } = await withRetries(async () => {
    const sql = postgres(s.databaseUrl, { max: 1, onnotice: () => {}, fetch_types: false })
    try {
      const [v] = await sql<{ stock: number; reserved: number }[]>`select stock, reserved from product_variants where id = ${variant!}`
      const [paid] = await sql<
        { q: number }[]
      >`select coalesce(sum(l.quantity), 0)::int as q from order_lines l join orders o on o.id = l.order_id where l.variant_id = ${variant!} and o.status = 'paid'`
      const [twice] = await sql<
        { n: number }[]
      >`select count(*)::int as n from (select p.order_id from payments p join order_lines l on l.order_id = p.order_id
        where l.variant_id = ${variant!} and p.status = 'paid' group by p.order_id having count(*) > 1) x`
      return { v, paid, twice }
    } finally {
      await sql.end()
    }
  })
  const committed = opts.stock - (v?.stock ?? opts.stock)
  const paidQuantity = paid?.q ?? 0
  return {
    rttMs,
    buyers: opts.buyers,
    stock: opts.stock,
    seconds: round(seconds, 2),
    ordersAccepted,
    ordersPerSecond: round(ordersAccepted / Math.max(0.001, (lastOrderAt - t0) / 1000)),
    settledPayments: settled,
    settledPerSecond: round(settled / Math.max(0.001, (lastSettledAt - t0) / 1000)),
    outcomes,
    oversell: Math.max(0, paidQuantity - opts.stock, committed - opts.stock, ordersAccepted - opts.stock),
    appliedTwice: bothProcessed + (twice?.n ?? 0) + Math.max(0, committed - paidQuantity),
    paidQuantity,
    committedQuantity: committed,
    timedOut,
  }
}

/** Postgres may be full of other work's connections for a moment: a few tries, a second apart. */
async function withRetries<T>(fn: () => Promise<T>, tries = 10): Promise<T> {
  for (let k = 1; ; k++) {
    try {
      return await fn()
    } catch (e) {
      if (k >= tries || !/too many clients/.test((e as Error).message)) throw e
      await new Promise((r) => setTimeout(r, 1000))
    }
  }
}
