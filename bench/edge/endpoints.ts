/**
 * The endpoints bench:edge drives on the Deno entry, each with the data it consumes: a request
 * that never throws on a non-2xx answer (its outcome label says what came back), how many fresh
 * requests its data still allows, and unmeasured work to run before each measurement (settling
 * the charges the payment step created, so the webhook step has fresh events to deliver).
 */
import { Agent, request as httpRequest } from 'node:http'
import { devToken } from '../../tools/dev/stack.ts'
import { outcomeOf, parallel, REQUEST_TIMEOUT_MS, type BenchClient } from '../client.ts'
import {
  BENCH_PASSWORD,
  chargeSuccess,
  createVariants,
  issueGifts,
  linkPayPayUsers,
  paidZaloPayCallbacks,
  registerAccounts,
  settleOnPaystack,
} from '../fixtures.ts'
import type { EdgeStack } from './stack.ts'

export interface Endpoint {
  name: string
  note: string
  /** Fresh requests the prepared data still allows (Infinity: any number). */
  available(): number
  /** At most this many requests in one load cell (so a consumable lasts the whole run). */
  perCell?: number
  /** Unmeasured, before each measurement: `cell` is the cell's index, or -1 before counting. */
  before?(cell: number): Promise<void>
  request(i: number): Promise<string>
  /** Unmeasured, after the run: finish what was left half-way (e.g. charges settled but never announced). */
  finish?(): Promise<void>
}

export interface Sizes {
  /** Cells in the run (every RTT x every in-flight count, the 1-in-flight probes included). */
  cells: number
  /** Of which load cells (the rest are probes of `probeRequests` requests each). */
  loadCells: number
  probeRequests: number
  seconds: number
  users: number
  accounts: number
  paypayUsers: number
  giftBatches: number
  zalopayPerCell: number
}

/** The seed's suppliers (tools/db/seed.ts): gift redemptions alternate so neither's in-flight PIN limit binds. */
const SUPPLIERS = [
  { invoice: 'INV-TOKYO-001', pin: '1234' },
  { invoice: 'INV-OSAKA-001', pin: '4321' },
]
/** Source addresses for logins: Deno takes the client IP from the socket, and 30 attempts per IP are allowed at once. */
const LOGIN_SOURCES = 32
const COUNTING = 3

export async function prepareEndpoints(s: EdgeStack, c: BenchClient, sizes: Sizes, log: (l: string) => void): Promise<Endpoint[]> {
  const rid = Date.now().toString(36).toUpperCase()
  const admin = s.adminToken
  const variants = await createVariants(c, admin, `edge ${rid}`, 8, 1_000_000)
  const tokens = await Promise.all(Array.from({ length: sizes.users }, (_, i) => devToken(`bench-edge-${rid}-${i}`, [])))
  log(`  ${sizes.accounts} accounts…`)
  const accounts = await registerAccounts(c, rid, sizes.accounts)
  log(`  ${sizes.giftBatches * 1000} gifts…`)
  const gifts = await issueGifts(c, admin, rid, sizes.giftBatches)
  log(`  ${sizes.paypayUsers} PayPay-linked users…`)
  const paypay = await linkPayPayUsers(c, admin, rid, sizes.paypayUsers)
  const sessions = sizes.cells * sizes.zalopayPerCell + COUNTING
  log(`  ${sessions} paid ZaloPay sessions…`)
  const callbacks = await paidZaloPayCallbacks(c, admin, s.urls.zalopay, rid, sessions)

  const get = (path: string, token?: string) =>
    fetch(`${s.base}${path}`, {
      ...(token && { headers: { authorization: `Bearer ${token}` } }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    }).then(outcomeOf)
  const loginAgent = new Agent({ keepAlive: true, maxSockets: 8 })
  const base = new URL(s.base)
  let giftCursor = 0
  const giftsPerCell = Math.floor(
    (gifts.length - COUNTING - (sizes.cells - sizes.loadCells) * sizes.probeRequests) / Math.max(1, sizes.loadCells),
  )
  const orders: Array<{ id: string; token: string }> = []
  let orderCursor = 0
  const references: string[] = []
  let referenceCursor = 0
  const charges: Array<{ amount: number; id: number; reference: string; currency: string }> = []
  let chargeCursor = 0
  // Only about as many charges are settled as the next webhook cell can announce (its rate in the
  // last cell): a charge settled on the sandbox but never announced is a reconciliation mismatch.
  let webhookRate = 100
  const cellSent = { n: 0, first: 0, last: 0 }
  let zalopaySlice: string[] = callbacks.slice(0, COUNTING)

  return [
    {
      name: 'GET /health',
      note: '1 Postgres statement + 1 Redis call by design',
      available: () => Infinity,
      request: () => get('/health'),
    },
    {
      name: 'GET /api/v1/products',
      note: 'catalog page, Redis-cached (30 s)',
      available: () => Infinity,
      request: () => get('/api/v1/products'),
    },
    {
      name: 'POST /api/v1/auth/login',
      note: `PBKDF2-SHA256 (100 000 iterations) per attempt; ${accounts.length} accounts in rotation, from ${LOGIN_SOURCES} loopback source addresses (per-IP limit)`,
      available: () => Infinity,
      request: (i) =>
        new Promise<string>((resolve) => {
          const body = JSON.stringify({ email: accounts[i % accounts.length], password: BENCH_PASSWORD })
          const req = httpRequest(
            {
              host: base.hostname,
              port: base.port,
              path: '/api/v1/auth/login',
              method: 'POST',
              agent: loginAgent,
              localAddress: `127.0.0.${10 + (i % LOGIN_SOURCES)}`,
              headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
            },
            (res) => {
              const chunks: Buffer[] = []
              res.on('data', (ch: Buffer) => chunks.push(ch))
              res.on('end', () => void outcomeOf(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500 })).then(resolve))
            },
          )
          req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timed out')))
          req.on('error', (e) => resolve(`error:${e.message.slice(0, 60)}`))
          req.end(body)
        }),
    },
    {
      name: 'POST /api/gifts/use',
      note: `a fresh gift each (up to ${giftsPerCell} per cell), PIN checked with PBKDF2, two suppliers alternating`,
      available: () => gifts.length - giftCursor,
      perCell: giftsPerCell,
      request: (i) => {
        const gift = gifts[giftCursor++]
        if (!gift) return Promise.resolve('no fresh gift')
        const sup = SUPPLIERS[i % SUPPLIERS.length]!
        return c.post('/api/gifts/use', JSON.stringify({ gift_id: gift, supplier_invoice_no: sup.invoice, pin: sup.pin }))
      },
    },
    {
      name: 'POST /api/v1/orders',
      note: 'one line, quantity 1, over 8 variants (Postgres lock)',
      available: () => Infinity,
      request: async (i) => {
        const token = tokens[i % tokens.length]!
        const r = await c.api('POST', '/api/v1/orders', {
          token,
          body: { items: [{ variant_id: variants[i % variants.length], quantity: 1 }] },
        })
        if (r.status === 201 && r.body?.order_id) orders.push({ id: r.body.order_id, token })
        return label(r)
      },
    },
    {
      name: 'POST /api/v1/orders/:id/payments',
      note: 'a fresh order each (the orders the step before placed): payment + Paystack initialize on the sandbox',
      available: () => orders.length - orderCursor,
      request: async () => {
        const o = orders[orderCursor++]
        if (!o) return 'no fresh order'
        const r = await c.api('POST', `/api/v1/orders/${o.id}/payments`, { token: o.token, body: { email: 'bench@example.test' } })
        if (r.status === 201 && r.body?.reference) references.push(r.body.reference)
        return label(r)
      },
    },
    {
      name: 'POST /webhooks/paystack',
      note: 'signed charge.success, a new event each (the charges the step before initialised, settled on the sandbox beforehand): verify + settlement + outbox',
      available: () => charges.length - chargeCursor,
      before: async () => {
        if (cellSent.n > 1 && cellSent.last > cellSent.first) webhookRate = cellSent.n / ((cellSent.last - cellSent.first) / 1000)
        cellSent.n = 0
        const want = Math.ceil(webhookRate * sizes.seconds * 1.5) + 64 - (charges.length - chargeCursor)
        const fresh = references.slice(referenceCursor, referenceCursor + Math.max(0, want))
        referenceCursor += fresh.length
        charges.push(...(await settleOnPaystack(s.urls.paystack, fresh)).filter(Boolean))
      },
      request: async () => {
        const t = charges[chargeCursor++]
        if (!t) return 'no fresh charge'
        const { body, signature } = chargeSuccess(t)
        if (cellSent.n++ === 0) cellSent.first = performance.now()
        const out = await c.post('/webhooks/paystack', body, { 'x-paystack-signature': signature })
        cellSent.last = performance.now()
        return out
      },
      finish: async () => {
        const left = charges.slice(chargeCursor)
        chargeCursor = charges.length
        log(`  announcing the ${left.length} charges settled but not yet sent…`)
        await parallel(left.length, 8, (i) => {
          const { body, signature } = chargeSuccess(left[i]!)
          return c.post('/webhooks/paystack', body, { 'x-paystack-signature': signature })
        })
      },
    },
    {
      name: 'POST /api/v1/payment/zalopay/callback',
      note: `key2-signed callbacks, ${sizes.zalopayPerCell} fresh paid sessions per cell (each re-read through the query API), then repeats of them (duplicates)`,
      available: () => Infinity,
      before: async (cell) => {
        zalopaySlice =
          cell < 0
            ? callbacks.slice(0, COUNTING)
            : callbacks.slice(COUNTING + cell * sizes.zalopayPerCell, COUNTING + (cell + 1) * sizes.zalopayPerCell)
      },
      request: (i) => c.post('/api/v1/payment/zalopay/callback', zalopaySlice[i % zalopaySlice.length]!),
    },
    {
      name: 'GET /api/v1/points',
      note: `${paypay.length} PayPay-linked users`,
      available: () => Infinity,
      request: (i) => get('/api/v1/points', paypay[i % paypay.length]),
    },
    {
      name: 'POST /mypage/points_exchange',
      note: `1 point each, ${paypay.length} linked users; the cashback is given by a QStash job on the PayPay sandbox afterwards`,
      available: () => Infinity,
      request: (i) =>
        c.post('/mypage/points_exchange', JSON.stringify({ points: 1 }), {
          authorization: `Bearer ${paypay[i % paypay.length]}`,
          'idempotency-key': `edge-${rid}-${i}-${Math.random().toString(36).slice(2)}`,
        }),
    },
  ]
}

/** An outcome label for an answer already read by the client. */
export function label(r: { status: number; body: any }): string {
  if (r.status < 400) return String(r.status)
  const code = r.body?.error?.code
  return code ? `${r.status} ${code}${r.body.error.details?.dependency ? `(${r.body.error.details.dependency})` : ''}` : String(r.status)
}
