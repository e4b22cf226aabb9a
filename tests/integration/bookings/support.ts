import { env, SELF } from 'cloudflare:test'
import { expect } from 'vitest'
import { runJob } from '../commerce/jobs.ts'
import { adminToken, call, uniq } from '../helpers.ts'

/** Helpers for the bookings and realtime tests: the ZaloPay sandbox, the QStash queue, sockets. */
const e = env as unknown as Record<string, string>

// ---- the ZaloPay sandbox (started by the global setup; its URL is the Worker's ZALOPAY_API_URL) ----

export async function zp(path: string, init: { method?: string; body?: unknown } = {}): Promise<any> {
  const res = await fetch(`${e['ZALOPAY_API_URL']}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    ...(init.body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
  })
  return res.json()
}

export const sandboxOrder = async (appTransId: string) =>
  ((await zp('/__control/state')).orders as Array<Record<string, any>>).find((o) => o.appTransId === appTransId)

/**
 * Pays an order on the sandbox with its callback suppressed (the Worker under test has no port),
 * and returns the exact signed body ZaloPay would have POSTed.
 */
export async function payOnSandbox(appTransId: string, opts: { amount?: number } = {}): Promise<string> {
  await zp('/__control/callbacks/suppress', { body: { app_trans_id: appTransId } })
  const settled = await zp(`/__control/orders/${appTransId}/settle`, {
    body: { outcome: 'success', ...(opts.amount && { amount: opts.amount }) },
  })
  expect(settled.order?.status, JSON.stringify(settled)).toBe('paid')
  const { deliveries } = await zp(`/__control/callbacks?app_trans_id=${appTransId}`)
  const payment = (deliveries as Array<{ kind: string; body: string }>).find((d) => d.kind === 'payment')
  expect(payment, 'the sandbox built a callback').toBeTruthy()
  return payment!.body
}

export async function postCallback(body: string): Promise<{ status: number; body: any }> {
  const res = await SELF.fetch('http://worker.test/api/v1/payment/zalopay/callback', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  })
  return { status: res.status, body: await res.json() }
}

// ---- fixtures through the admin API ------------------------------------------------------------

const DAY = 24 * 3600 * 1000

/** `count` consecutive nights starting `fromDays` days ahead. */
export const nightsAhead = (fromDays: number, count: number) =>
  Array.from({ length: count }, (_, i) => new Date(Date.now() + (fromDays + i) * DAY).toISOString().slice(0, 10))

export async function newProperty(opts: { nightlyRate?: number; maxGuests?: number } = {}) {
  const res = await call('POST', '/api/admin/properties', {
    token: await adminToken(),
    body: { name: `Villa ${uniq()}`, hostId: `host-${uniq()}`, maxGuests: opts.maxGuests ?? 4, nightlyRate: opts.nightlyRate ?? 1_500_000 },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.property as { id: string; name: string; hostId: string }
}

export async function newAuction(propertyId: string, nights: string[]) {
  const res = await call('POST', '/api/admin/auctions', { token: await adminToken(), body: { propertyId, nights } })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.auction as { id: string; nights: string[] }
}

export interface AwardSpec {
  userId: string
  nights: string[]
  amount: number
  paymentDeadline?: string
  runnersUp?: Array<{ userId: string; amount: number }>
}

export async function recordResults(auctionId: string, awards: AwardSpec[]) {
  const res = await call('POST', `/api/admin/auctions/${auctionId}/results`, {
    token: await adminToken(),
    body: {
      awards: awards.map((a) => ({
        runnersUp: [],
        paymentDeadline: new Date(Date.now() + DAY).toISOString(),
        ...a,
      })),
    },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.awards as Array<{ id: string; userId: string; result: string }>
}

/** A property with an auction won by `winner`: everything a payment needs. */
export async function wonAuction(winner: string, opts: { nights?: number; amount?: number; runnersUp?: AwardSpec['runnersUp'] } = {}) {
  const property = await newProperty()
  const nights = nightsAhead(30, opts.nights ?? 2)
  const auction = await newAuction(property.id, nights)
  const amount = opts.amount ?? 2_400_000
  const [award] = await recordResults(auction.id, [
    { userId: winner, nights, amount, ...(opts.runnersUp && { runnersUp: opts.runnersUp }) },
  ])
  return { property, auction, nights, amount, award: award! }
}

export const createPayment = (token: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call('POST', '/api/v1/payment/zalopay/create', { token, body: { orderInfo: 'Booking for a villa', ...body }, headers })

// ---- the queue: deliver the jobs the Worker published to QStash ----------------------------------

const delivered = new Set<string>()
const fileStartedAt = Date.now()

/**
 * Delivers (signed, through /jobs/:name) every bookings job the Worker has published to the QStash
 * dev server and that this file has not delivered yet, until none is left; returns their names.
 * (QStash itself would deliver to PUBLIC_BASE_URL, where nothing listens in tests.)
 */
export async function pumpJobs(max = 50): Promise<string[]> {
  const ran: string[] = []
  for (let round = 0; round < 10 && ran.length < max; round++) {
    const res = await fetch(`${e['QSTASH_URL']}/v2/events`, { headers: { authorization: `Bearer ${e['QSTASH_TOKEN']}` } })
    const { events } = (await res.json()) as { events: Array<{ time: number; messageId: string; state: string; url: string }> }
    // Only this file's jobs: other files' queued jobs are theirs to deliver, and delivering them
    // here would spend the cap before this test's own follow-up jobs.
    const fresh = events
      .filter(
        (ev) => ev.state === 'CREATED' && ev.time >= fileStartedAt && /\/jobs\/bookings\./.test(ev.url) && !delivered.has(ev.messageId),
      )
      .reverse()
    if (fresh.length === 0) break
    for (const ev of fresh) {
      delivered.add(ev.messageId)
      const m = (await (
        await fetch(`${e['QSTASH_URL']}/v2/messages/${ev.messageId}`, { headers: { authorization: `Bearer ${e['QSTASH_TOKEN']}` } })
      ).json()) as { body: string; url: string }
      const name = m.url.slice(m.url.indexOf('/jobs/') + '/jobs/'.length)
      const r = await runJob(name, JSON.parse(m.body || 'null'))
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(200)
      ran.push(name)
    }
  }
  return ran
}

// ---- WebSockets inside workerd ---------------------------------------------------------------

export interface TestSocket {
  readonly status: number
  readonly ws: WebSocket
  readonly messages: any[]
  readonly closed: Promise<{ code: number; reason: string }>
  send(m: unknown): void
  /** The next message (after those already taken) matching `pred`. */
  next(pred?: (m: any) => boolean, timeoutMs?: number): Promise<any>
  subscribe(userId: string, channels?: string[], lastSeq?: number): Promise<any>
  close(): void
}

export const ALL_CHANNELS = ['auction_results', 'payment_status', 'second_chance_offers', 'booking_confirmations']

export async function openSocket(
  tok: string | null,
  opts: { lastSeq?: number; protocols?: string[]; tokenInQuery?: boolean } = {},
): Promise<{ status: number; headers: Headers; socket: TestSocket | null; body?: any }> {
  const url = new URL('http://worker.test/payment-notifications')
  if (tok && opts.tokenInQuery !== false) url.searchParams.set('token', tok)
  if (opts.lastSeq !== undefined) url.searchParams.set('lastSeq', String(opts.lastSeq))
  const headers: Record<string, string> = { upgrade: 'websocket' }
  if (opts.protocols) headers['sec-websocket-protocol'] = opts.protocols.join(', ')
  const res = await SELF.fetch(url, { headers })
  const ws = res.webSocket
  if (!ws) return { status: res.status, headers: res.headers, socket: null, body: await res.json().catch(() => null) }
  ws.accept()
  const messages: any[] = []
  let taken = 0
  const listeners = new Set<() => void>()
  ws.addEventListener('message', (ev) => {
    messages.push(JSON.parse(typeof ev.data === 'string' ? ev.data : ''))
    for (const l of listeners) l()
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener('close', (ev) => {
      resolve({ code: ev.code, reason: ev.reason })
      for (const l of listeners) l()
    }),
  )
  const next = (pred: (m: any) => boolean = () => true, timeoutMs = 20_000) =>
    new Promise<any>((resolve, reject) => {
      const check = () => {
        for (let i = taken; i < messages.length; i++) {
          if (pred(messages[i])) {
            taken = i + 1
            listeners.delete(check)
            clearTimeout(timer)
            resolve(messages[i])
            return
          }
        }
      }
      const timer = setTimeout(() => {
        listeners.delete(check)
        reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages.slice(taken))}`))
      }, timeoutMs)
      listeners.add(check)
      check()
    })
  const socket: TestSocket = {
    status: res.status,
    ws,
    messages,
    closed,
    send: (m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
    next,
    subscribe: async (userId, channels = ALL_CHANNELS, lastSeq) => {
      ws.send(JSON.stringify({ type: 'SUBSCRIBE', userId, channels, ...(lastSeq !== undefined && { lastSeq }) }))
      return next((m) => m.type === 'SUBSCRIBED' || m.type === 'ERROR')
    },
    close: () => {
      try {
        ws.close(1000, 'done')
      } catch {
        // already closed
      }
    },
  }
  return { status: res.status, headers: res.headers, socket }
}
