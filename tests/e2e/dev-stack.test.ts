import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO } from '../../tools/db/seed.ts'
import { TEST_ENV } from '../support/test-env.ts'
import { startDevStack, type DevStack } from '../../tools/dev/stack.ts'
import { noBrowser, launchChromium } from '../../tools/shared/browser.ts'

/**
 * What `npm run dev` gives a newcomer, over real HTTP: the Worker under wrangler dev on the
 * machine's Postgres (a throwaway database), seeded; Upstash and QStash dev servers in front of the real Redis; a
 * scheduled job delivered by QStash with a signature the Worker verifies.
 */
let stack: DevStack
let persistTo: string
const logs: string[] = []

beforeAll(async () => {
  // Fresh Durable Object state: objects left in .wrangler by earlier runs would wake holding connections.
  persistTo = mkdtempSync(join(tmpdir(), 'e2e-dev-stack-'))
  stack = await startDevStack({ databaseUrl: TEST_ENV.e2eDatabaseUrl, persistTo, log: (l) => logs.push(l) })
})
afterAll(async () => {
  await stack?.close()
  if (persistTo) rmSync(persistTo, { recursive: true, force: true })
})

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${stack.urls.worker}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

describe('npm run dev stack', () => {
  it('serves /health, /docs and /openapi.json', async () => {
    const health = await fetch(`${stack.urls.worker}/health`)
    expect(health.status).toBe(200)
    expect(((await health.json()) as { status: string }).status).toBe('ok')
    const docs = await fetch(`${stack.urls.worker}/docs`)
    expect(docs.status).toBe(200)
    expect(await docs.text()).toContain('/api/gifts/use')
    const openapi = (await (await fetch(`${stack.urls.worker}/openapi.json`)).json()) as { paths: Record<string, unknown> }
    expect(Object.keys(openapi.paths)).toContain('/api/gifts/use')
  })

  it('redeems a seeded gift once, then refuses it', async () => {
    const body = { gift_id: 'DEMO-GIFT-0002', supplier_invoice_no: 'INV-TOKYO-001', pin: '1234' }
    const first = await post('/api/gifts/use', body)
    expect(first.status).toBe(200)
    const again = await post('/api/gifts/use', body)
    expect(again.status).toBe(400)
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('GIFT_ALREADY_USED')
    const expired = await post('/api/gifts/use', { ...body, gift_id: 'DEMO-GIFT-EXPIRED' })
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('GIFT_EXPIRED')
  })

  it('lets the printed admin token issue gifts', async () => {
    const r = await post('/api/admin/gifts', { count: 2, amount: 100, currency: 'JPY' }, { authorization: `Bearer ${stack.adminToken}` })
    expect(r.status).toBe(201)
  })

  it('runs the scheduled heartbeat through QStash, signed and verified', async () => {
    const trigger = await fetch(`${stack.urls.qstash}/__control/schedules/edge-payments.platform.heartbeat/trigger`, { method: 'POST' })
    expect(trigger.status).toBe(200)
    let beat: string | null = null
    for (let i = 0; i < 50 && !beat; i++) {
      await new Promise((r) => setTimeout(r, 100))
      const h = (await (await fetch(`${stack.urls.worker}/health`)).json()) as { scheduler: { last_heartbeat: string | null } }
      beat = h.scheduler.last_heartbeat
    }
    expect(beat).not.toBeNull()
    expect(Date.parse(beat!)).toBeGreaterThan(Date.now() - 60_000)
  })

  it('refuses a job delivery that QStash did not sign', async () => {
    const r = await post('/jobs/platform.heartbeat', {}, { 'upstash-signature': 'forged' })
    expect(r.status).toBe(401)
  })
})

const json = async (res: Response) => (await res.json()) as any

/**
 * Seed 004 end to end over real HTTP: a guest cart merged at login, an order reserving stock, a
 * Paystack payment paid by clicking the sandbox's checkout page in Chromium, the signed webhook
 * settling it, and the follow-up jobs delivered by QStash into the dev mailbox.
 */
describe.skipIf(noBrowser())('cart to paid order through the Paystack sandbox', () => {
  it('pays an order by clicking Pay on the checkout page', async () => {
    const w = stack.urls.worker
    const products = await json(await fetch(`${w}/api/v1/products?limit=100`))
    const variant = products.products.flatMap((p: any) => p.variants).find((v: any) => v.sku === 'DEMO-ADAPTER-EU')
    expect(variant).toBeTruthy()

    const session = (await json(await post('/api/v1/cart/session', {}))).session_id
    const added = await post('/api/v1/cart/items', { variant_id: variant.id, quantity: 2 }, { 'x-cart-session': session })
    expect(added.status).toBe(200)
    const login = await json(await post('/api/v1/auth/login', { ...DEMO.user, session_id: session }))
    expect(login.cart_merged).toBe(true)
    const auth = { authorization: `Bearer ${login.access_token}` }

    const order = await post('/api/v1/orders', {}, auth)
    expect(order.status).toBe(201)
    const { order_id, total } = await json(order)
    expect(total).toBeGreaterThanOrEqual(2 * variant.price)
    const init = await json(await post(`/api/v1/orders/${order_id}/payments`, {}, auth))
    expect(init.authorization_url).toContain(stack.urls.paystack)

    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      await page.goto(init.authorization_url)
      await page.getByRole('button', { name: 'Pay' }).click()
      await page.waitForURL(/\/payments\/return/)
      expect(await page.locator('body').getAttribute('data-status')).toBe('paid')
    } finally {
      await browser.close()
    }

    const paid = await json(await fetch(`${w}/api/v1/orders/${order_id}`, { headers: auth }))
    expect(paid.order.status).toBe('paid')
    let mailbox = ''
    for (let i = 0; i < 100 && !mailbox.includes(`Order ${order_id} confirmed`); i++) {
      await new Promise((r) => setTimeout(r, 200))
      mailbox = await (await fetch(`${w}/dev/mailbox`)).text()
    }
    expect(mailbox).toContain(`Order ${order_id} confirmed`)
    const invoice = await fetch(`${w}/api/v1/orders/${order_id}/invoice`, { headers: auth })
    expect(invoice.status).toBe(200)
  })
})
