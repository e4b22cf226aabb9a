import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO } from '../../tools/db/seed.ts'
import { freePort } from '../../tools/dev/stack.ts'

/**
 * The README's promise, `npm install && npm run dev` on a machine with nothing but Node: the real
 * `npm run dev` process, with the Postgres and Redis probes pointed at closed ports and no
 * DATABASE_URL or REDIS_URL, so it embeds a PostgreSQL (binaries from npm) and the in-process
 * Redis engine. Over real HTTP: a gift redeemed, a login, an order placed and paid on the Paystack
 * sandbox; then Ctrl-C stops everything, the embedded PostgreSQL with a clean shutdown.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
let dev: ChildProcess
let devDir: string
let output = ''
const ports: Record<string, number> = {}
const worker = () => `http://127.0.0.1:${ports['PORT']}`
const paystack = () => `http://127.0.0.1:${ports['PAYSTACK_SANDBOX_PORT']}`

beforeAll(async () => {
  devDir = mkdtempSync(join(tmpdir(), 'e2e-dev-promise-'))
  for (const name of [
    'PORT',
    'UPSTASH_DEV_PORT',
    'QSTASH_DEV_PORT',
    'EMBEDDED_POSTGRES_PORT',
    'PAYSTACK_SANDBOX_PORT',
    'ZALOPAY_SANDBOX_PORT',
    'PAYPAY_SANDBOX_PORT',
    'closed',
  ]) {
    ports[name] = await freePort()
  }
  const env: NodeJS.ProcessEnv = { ...process.env, DEV_DATA_DIR: devDir, CI: 'true' }
  delete env['DATABASE_URL']
  delete env['REDIS_URL']
  for (const [name, port] of Object.entries(ports)) if (name !== 'closed') env[name] = String(port)
  env['DEV_POSTGRES_PROBE'] = `127.0.0.1:${ports['closed']}`
  env['DEV_REDIS_PROBE'] = `127.0.0.1:${ports['closed']}`
  // Its own process group, so afterAll can end whatever is left of it if the clean stop fails.
  dev = spawn('npm', ['run', 'dev'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  dev.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')))
  dev.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')))
  const deadline = Date.now() + 170_000
  while (!output.includes('Edge payments backend is running.')) {
    if (dev.exitCode !== null) throw new Error(`npm run dev exited with ${dev.exitCode}:\n${output.slice(-4000)}`)
    if (Date.now() > deadline) throw new Error(`npm run dev did not come up:\n${output.slice(-4000)}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}, 180_000)

afterAll(async () => {
  if (dev && dev.exitCode === null && dev.signalCode === null) {
    try {
      process.kill(-dev.pid!, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  if (devDir) rmSync(devDir, { recursive: true, force: true })
})

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${worker()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
const json = async (res: Response) => (await res.json()) as any
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })

describe('npm run dev with no Postgres and no Redis', () => {
  it('embeds both and says so', async () => {
    expect(output).toMatch(/No PostgreSQL answered on 127\.0\.0\.1:\d+ .*embedding PostgreSQL/)
    expect(output).toMatch(/No Redis answered on 127\.0\.0\.1:\d+ .*embedding an in-process Redis engine/)
    expect(output).toContain(
      `postgres://postgres:postgres@127.0.0.1:${ports['EMBEDDED_POSTGRES_PORT']}/edge_payments  (embedded PostgreSQL`,
    )
    expect(output).toContain('Redis is EMBEDDED')
    expect(existsSync(join(devDir, 'postgres', 'PG_VERSION'))).toBe(true)
    const health = await json(await fetch(`${worker()}/health`))
    expect(health.status).toBe('ok')
    const upstash = await json(await fetch(`http://127.0.0.1:${ports['UPSTASH_DEV_PORT']}/__health`))
    expect(upstash.backend).toBe('embedded')
  })

  it('redeems a gift, logs in, places an order and pays it on the Paystack sandbox', async () => {
    const gift = await post('/api/gifts/use', { gift_id: 'DEMO-GIFT-0003', supplier_invoice_no: 'INV-TOKYO-001', pin: '1234' })
    expect(gift.status).toBe(200)
    const again = await post('/api/gifts/use', { gift_id: 'DEMO-GIFT-0003', supplier_invoice_no: 'INV-TOKYO-001', pin: '1234' })
    expect((await json(again)).error.code).toBe('GIFT_ALREADY_USED')

    const products = await json(await fetch(`${worker()}/api/v1/products?limit=100`))
    const variant = products.products.flatMap((p: any) => p.variants).find((v: any) => v.sku === 'DEMO-CUBES-SET')
    const session = (await json(await post('/api/v1/cart/session', {}))).session_id
    expect((await post('/api/v1/cart/items', { variant_id: variant.id, quantity: 1 }, { 'x-cart-session': session })).status).toBe(200)
    const login = await json(await post('/api/v1/auth/login', { ...DEMO.user, session_id: session }))
    expect(login.cart_merged).toBe(true)
    const auth = { authorization: `Bearer ${login.access_token}` }

    const order = await post('/api/v1/orders', {}, auth)
    expect(order.status).toBe(201)
    const { order_id } = await json(order)
    const intent = await json(await post(`/api/v1/orders/${order_id}/payments`, {}, auth))
    expect(intent.authorization_url).toContain(paystack())
    // The sandbox settles it as a customer's payment would, and signs the webhook to the Worker.
    const settled = await fetch(`${paystack()}/__control/transactions/${intent.reference}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'success' }),
    })
    expect(settled.status).toBe(200)
    let status = ''
    for (let i = 0; i < 100 && status !== 'paid'; i++) {
      status = (await json(await fetch(`${worker()}/api/v1/orders/${order_id}`, { headers: auth }))).order.status
      if (status !== 'paid') await new Promise((r) => setTimeout(r, 200))
    }
    expect(status).toBe('paid')
  })

  it('stops everything on Ctrl-C, the embedded PostgreSQL cleanly', async () => {
    const exited = new Promise<void>((r) => dev.once('exit', () => r()))
    // What a terminal does on Ctrl-C: SIGINT to the whole foreground process group.
    process.kill(-dev.pid!, 'SIGINT')
    await Promise.race([
      exited,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no exit:\n${output.slice(-2000)}`)), 30_000)),
    ])
    for (const name of ['PORT', 'EMBEDDED_POSTGRES_PORT', 'UPSTASH_DEV_PORT', 'PAYSTACK_SANDBOX_PORT']) {
      let open = true
      for (let i = 0; i < 50 && open; i++) {
        open = await listening(ports[name]!)
        if (open) await new Promise((r) => setTimeout(r, 200))
      }
      expect(open, `${name} still listening`).toBe(false)
    }
    // A clean shutdown removes the lock file; the data stays for the next run.
    expect(existsSync(join(devDir, 'postgres', 'postmaster.pid'))).toBe(false)
    expect(existsSync(join(devDir, 'postgres', 'PG_VERSION'))).toBe(true)
  }, 60_000)
})
