import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevStack, type DevStack } from '../../tools/dev/stack.ts'

/**
 * What `npm run dev` gives a newcomer, over real HTTP: the Worker under wrangler dev on the
 * embedded PGlite database, seeded; Upstash and QStash dev servers in front of the real Redis; a
 * scheduled job delivered by QStash with a signature the Worker verifies.
 */
let stack: DevStack
const logs: string[] = []

beforeAll(async () => {
  stack = await startDevStack({ log: (l) => logs.push(l) })
})
afterAll(async () => {
  await stack?.close()
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
