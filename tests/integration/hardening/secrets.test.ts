import { env, SELF } from 'cloudflare:test'
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest'
import { adminToken, token, uniq } from '../helpers.ts'
import { runJob } from '../commerce/jobs.ts'
import { payOnSandbox, postCallback, createPayment, wonAuction } from '../bookings/support.ts'
import { pendingPayment, recordedWebhook, sandbox } from '../payments/paystack-helpers.ts'
import { exchanged, give, grant, linkedUser, settle } from '../loyalty/support.ts'
import { countFigure } from '../../support/figures.ts'
import { giftPinPeppers } from '../../../src/platform/config.ts'

/**
 * Issue 7, "Hostile input", secrets: the Worker's logs during flows that carry secrets (a password
 * login, a gift redemption with a PIN, Paystack webhooks with signatures, ZaloPay callbacks with
 * MACs, PayPay calls with the OPA key) never contain a secret, password, PIN, token or signature;
 * nor does any error body. The Worker runs in this isolate (SELF), so its JSON log lines go through
 * this `console`: a spy sees every line. LOG_LEVEL is raised to debug for this file's Worker (its
 * configuration is read on the first request) so info and debug lines are scanned too.
 * Also: security headers on the service's HTML pages and the CORS allow-list.
 */
const e = env as unknown as Record<string, string>

const spies: MockInstance[] = []
/** The real console.log, kept before the spies replace it, for this file's own summary line. */
const print = console.log.bind(console)
const originalLogLevel = e['LOG_LEVEL']
const lines: string[] = []
const bodies: string[] = []
const secrets = new Map<string, string>()
const secret = (name: string, value: string) => {
  secrets.set(name, value)
  return value
}

/** Like helpers.call, but every answer's body is kept for the scan. */
async function send(
  method: string,
  path: string,
  opts: { body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> } = {},
) {
  // A fresh client address: login attempts are also counted per address (other tests use fixed ones).
  const headers: Record<string, string> = { 'cf-connecting-ip': `2001:db8:7b::${crypto.randomUUID().slice(0, 4)}`, ...opts.headers }
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
  if (body !== undefined) headers['content-type'] ??= 'application/json'
  const res = await SELF.fetch(`http://worker.test${path}`, { method, headers, ...(body !== undefined && { body }) })
  const text = await res.text()
  bodies.push(`${method} ${path} -> ${res.status} ${text}`)
  let parsed: any = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // HTML or empty
  }
  return { status: res.status, headers: res.headers, body: parsed }
}

function leaks(haystacks: string[]): string[] {
  const found: string[] = []
  for (const [name, value] of secrets) {
    if (value.length < 4) throw new Error(`secret ${name} too short to scan for`)
    for (const h of haystacks) if (h.includes(value)) found.push(`${name} in: ${h.slice(0, 300)}`)
  }
  return found
}

describe('no secret reaches a log line or an error body', () => {
  beforeAll(() => {
    e['LOG_LEVEL'] = 'debug'
    for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      spies.push(vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))))
    }
    for (const k of [
      'AUTH_HS256_SECRET',
      'PAYSTACK_SECRET_KEY',
      'ZALOPAY_KEY1',
      'ZALOPAY_KEY2',
      'PAYPAY_API_KEY',
      'PAYPAY_API_SECRET',
      'QSTASH_TOKEN',
      'QSTASH_CURRENT_SIGNING_KEY',
      'QSTASH_NEXT_SIGNING_KEY',
      'UPSTASH_REDIS_REST_TOKEN',
      'GIFT_PIN_PEPPER',
    ]) {
      secret(k, e[k]!)
    }
    // Each pepper of the list too: one key leaking alone would not contain the whole variable.
    for (const p of giftPinPeppers.parse(e['GIFT_PIN_PEPPER'])) secret(`GIFT_PIN_PEPPER ${p.id}`, p.secret)
  })
  afterAll(() => {
    for (const s of spies) s.mockRestore()
    e['LOG_LEVEL'] = originalLogLevel!
  })

  it('login with a password, right and wrong', async () => {
    const email = `h7-${uniq().toLowerCase()}@example.test`
    const password = secret('password', `Pw-${uniq()}-correct-horse`)
    const wrong = secret('wrong password', `Pw-${uniq()}-wrong-battery`)
    expect((await send('POST', '/api/v1/auth/register', { body: { email, password } })).status).toBe(201)
    const ok = await send('POST', '/api/v1/auth/login', { body: { email, password } })
    expect(ok.status).toBe(200)
    secret('issued access token', ok.body.access_token)
    expect((await send('POST', '/api/v1/auth/login', { body: { email, password: wrong } })).status).toBe(401)
    expect(
      (await send('POST', '/api/v1/auth/login', { body: { email: `nobody-${uniq().toLowerCase()}@example.test`, password: wrong } }))
        .status,
    ).toBe(401)
    // A malformed login (password too long) must not echo it either.
    expect((await send('POST', '/api/v1/auth/login', { body: { email, password: `${wrong}${'x'.repeat(200)}` } })).status).toBe(400)
    // The token is used, and a forged one refused.
    expect((await send('GET', '/api/v1/orders', { token: ok.body.access_token })).status).toBe(200)
    const forged = secret('forged token', `${ok.body.access_token.slice(0, -6)}AAAAAA`)
    expect((await send('GET', '/api/v1/orders', { token: forged })).status).toBe(401)
  })

  it('gift redemption with a PIN, right and wrong, and the lockout', async () => {
    const admin = await adminToken()
    const u = uniq()
    const pin = secret('PIN', '90731548')
    const wrongPin = secret('wrong PIN', '61829374')
    const s = await send('POST', '/api/admin/suppliers', {
      token: admin,
      body: { supplier_code: `H7S-${u}`, supplier_name: `Shop ${u}`, supplier_invoice_no: `H7SI-${u}` },
    })
    expect(s.status).toBe(201)
    const a = await send('POST', `/api/admin/suppliers/H7S-${u}/accounts`, {
      token: admin,
      body: { supplier_account_invoice_no: `H7SA-${u}`, supplier_account_name: 'Counter', pin },
    })
    expect(a.status).toBe(201)
    const g = await send('POST', '/api/admin/gifts', { token: admin, body: { count: 2, prefix: 'H7S-', amount: 100, currency: 'JPY' } })
    expect(g.status).toBe(201)
    const [g1, g2] = g.body.gifts.map((x: { gift_id: string }) => x.gift_id)
    for (let i = 0; i < 6; i++) {
      const r = await send('POST', '/api/gifts/use', { body: { gift_id: g2, supplier_invoice_no: `H7SI-${u}`, pin: wrongPin } })
      expect([400, 429]).toContain(r.status)
    }
    // Locked now: even the right PIN is refused, and not echoed.
    expect((await send('POST', '/api/gifts/use', { body: { gift_id: g1, supplier_invoice_no: `H7SI-${u}`, pin } })).status).toBe(429)
  })

  it('Paystack: a signed charge webhook, a forged one and a tampered one', async () => {
    const p = await pendingPayment()
    await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success' })
    const w = await recordedWebhook(p.reference, 'charge.success')
    secret('paystack signature', w.signature)
    const ok = await send('POST', '/webhooks/paystack', { rawBody: w.body, headers: { 'x-paystack-signature': w.signature } })
    expect(ok.status).toBe(200)
    const forgedSig = secret('forged paystack signature', 'f00d'.repeat(32))
    expect((await send('POST', '/webhooks/paystack', { rawBody: w.body, headers: { 'x-paystack-signature': forgedSig } })).status).toBe(401)
    expect(
      (
        await send('POST', '/webhooks/paystack', {
          rawBody: w.body.replace('"amount":', '"amount":1'),
          headers: { 'x-paystack-signature': w.signature },
        })
      ).status,
    ).toBe(401)
  })

  it('ZaloPay: a signed callback and one with a forged MAC', async () => {
    const userId = `h7-zp-${uniq()}`
    const t = await token(userId)
    const won = await wonAuction(userId)
    const created = await createPayment(t, { auctionId: won.auction.id, selectedNights: won.nights, amount: won.amount })
    expect(created.status).toBe(200)
    const body = await payOnSandbox(created.body.appTransId)
    secret('zalopay callback mac', JSON.parse(body).mac)
    const forgedMac = secret('forged zalopay mac', 'bad0'.repeat(16))
    const forged = await send('POST', '/api/v1/payment/zalopay/callback', {
      rawBody: JSON.stringify({ ...JSON.parse(body), mac: forgedMac }),
    })
    expect(forged.body.return_code).not.toBe(1)
    const ok = await postCallback(body)
    expect(ok.body.return_code).toBe(1)
  })

  it('PayPay: link (responseToken), exchange and the signed give-cashback call', async () => {
    const u = await linkedUser('h7-sec')
    secret('paypay user authorization id', u.userAuthorizationId)
    await grant(u.id, 300)
    const id = await exchanged(u, 100)
    const job = await give(id)
    expect(job.status).toBeLessThan(300)
    await settle(id, 'SUCCESS').catch(() => undefined)
    // A job delivery with a forged QStash signature.
    const forged = secret('forged qstash signature', `${(await token('x')).slice(0, -4)}AAAA`)
    expect(
      (
        await send('POST', '/jobs/loyalty.give-cashback', {
          rawBody: JSON.stringify({ merchant_cashback_id: id }),
          headers: { 'upstash-signature': forged },
        })
      ).status,
    ).toBe(401)
    expect((await runJob('platform.heartbeat')).status).toBe(200)
  })

  it('none of the values above appears in a log line or a response body', () => {
    // The spy saw the Worker's lines (not just ours): at debug level there are many.
    const workerLines = lines.filter((l) => l.includes('"request_id"') || l.includes('"runtime"'))
    expect(workerLines.length, 'the Worker logged through the spied console').toBeGreaterThan(10)
    expect(leaks(lines)).toEqual([])
    const errorBodies = bodies.filter((b) => / -> [45]\d\d /.test(b))
    expect(errorBodies.length).toBeGreaterThan(10)
    expect(leaks(errorBodies)).toEqual([])
    countFigure('secret values', secrets.size)
    countFigure('log lines scanned', lines.length)
    countFigure('error bodies scanned', errorBodies.length)
    print(`[secrets] ${secrets.size} secret values scanned in ${lines.length} log lines and ${errorBodies.length} error bodies`)
  })
})

describe('HTML pages and CORS', () => {
  const pages = ['/docs', '/dev/mailbox', '/payments/return?reference=', '/admin/loyalty/history']
  let reference: string
  beforeAll(async () => {
    reference = (await pendingPayment()).reference
  })

  it.each(pages)('%s carries the security headers and a Content-Security-Policy', async (path) => {
    const res = await SELF.fetch(`http://worker.test${path}${path.endsWith('=') ? reference : ''}`)
    await res.text()
    expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html/)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toMatch(/default-src 'none'/)
    expect(csp).toMatch(/frame-ancestors 'none'/)
    expect(csp).not.toMatch(/unsafe-eval/)
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
  })

  it('an allowed origin gets Access-Control-Allow-Origin, on preflight and on the request; another origin does not', async () => {
    const allowed = e['CORS_ALLOWED_ORIGINS']!.split(',').map((s) => s.trim())
    expect(allowed.length).toBeGreaterThan(1)
    for (const origin of allowed) {
      const pre = await SELF.fetch('http://worker.test/api/v1/orders', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,idempotency-key',
        },
      })
      expect(pre.status).toBeLessThan(300)
      expect(pre.headers.get('access-control-allow-origin')).toBe(origin)
      expect(pre.headers.get('access-control-allow-headers') ?? '').toMatch(/idempotency-key/)
      const get = await SELF.fetch('http://worker.test/api/v1/products', { headers: { origin } })
      await get.text()
      expect(get.headers.get('access-control-allow-origin')).toBe(origin)
      expect(get.headers.get('access-control-expose-headers') ?? '').toMatch(/x-request-id/)
    }
    for (const origin of ['http://evil.test', 'null', `${allowed[0]}.evil.test`, allowed[0]!.replace('http:', 'https:')]) {
      const pre = await SELF.fetch('http://worker.test/api/v1/orders', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      })
      await pre.text()
      expect(pre.headers.get('access-control-allow-origin'), origin).toBeNull()
      const get = await SELF.fetch('http://worker.test/api/v1/products', { headers: { origin } })
      await get.text()
      expect(get.headers.get('access-control-allow-origin'), origin).toBeNull()
    }
  })
})
