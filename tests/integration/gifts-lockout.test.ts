import { env } from 'cloudflare:test'
import { Redis } from '@upstash/redis'
import { beforeAll, describe, expect, it } from 'vitest'
import { RedisPinLockout } from '../../src/gifts/adapters/redis-pin-lockout.ts'
import type { SupplierCode } from '../../src/gifts/domain/supplier.ts'
import { DependencyUnavailable } from '../../src/platform/dependency.ts'
import { adminToken, call, token, uniq } from './helpers.ts'

/**
 * Issue 14 item 8 through HTTP: wrong PINs count per supplier AND caller (the device's token
 * subject, else CF-Connecting-IP), so one caller's guesses lock out that caller only; a ceiling of
 * 50 per supplier stops guessing spread over many addresses. Redis is the real one behind the
 * Upstash dev server.
 */
let admin: string
beforeAll(async () => {
  admin = await adminToken()
})

async function shop() {
  const u = uniq()
  const s = { code: `L-${u}`, invoiceNo: `LINV-${u}`, pin: '4826' }
  expect(
    (
      await call('POST', '/api/admin/suppliers', {
        token: admin,
        body: { supplier_code: s.code, supplier_name: `Shop ${u}`, supplier_invoice_no: s.invoiceNo },
      })
    ).status,
  ).toBe(201)
  const a = await call('POST', `/api/admin/suppliers/${s.code}/accounts`, {
    token: admin,
    body: { supplier_account_invoice_no: `LACC-${u}`, supplier_account_name: 'Counter', pin: s.pin },
  })
  expect(a.status).toBe(201)
  return s
}

async function gifts(n: number): Promise<string[]> {
  const r = await call('POST', '/api/admin/gifts', { token: admin, body: { count: n, prefix: 'LK-', amount: 100, currency: 'JPY' } })
  expect(r.status).toBe(201)
  return r.body.gifts.map((g: { gift_id: string }) => g.gift_id)
}

/** From an address (CF-Connecting-IP, which Cloudflare sets) and optionally with a device token. */
const use = (s: { invoiceNo: string }, gift: string, pin: string, from: { ip?: string; token?: string }) =>
  call('POST', '/api/gifts/use', {
    body: { gift_id: gift, supplier_invoice_no: s.invoiceNo, pin },
    headers: from.ip ? { 'cf-connecting-ip': from.ip } : {},
    ...(from.token && { token: from.token }),
  })

describe('PIN lockout per caller', () => {
  it('5 wrong PINs lock that address out (even its right PIN); the shop on another address keeps redeeming', async () => {
    const s = await shop()
    const [g1, g2] = await gifts(2)
    const attacker = { ip: '203.0.113.66' }
    for (let i = 0; i < 5; i++) expect((await use(s, g1!, '0000', attacker)).body.error.code).toBe('INVALID_PIN')
    const locked = await use(s, g1!, s.pin, attacker)
    expect(locked.status).toBe(429)
    expect(locked.body.error).toMatchObject({ code: 'PIN_LOCKED', details: { scope: 'caller' } })
    const retryAfter = Number(locked.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(800)
    expect(retryAfter).toBeLessThanOrEqual(900)

    const genuine = await use(s, g1!, s.pin, { ip: '198.51.100.10' })
    expect(genuine.status, JSON.stringify(genuine.body)).toBe(200)
    // A device with a token is its own caller, even behind the locked address.
    const device = await token(`shop-device-${uniq()}`, ['shop'])
    expect((await use(s, g2!, s.pin, { ...attacker, token: device })).status).toBe(200)
  })

  it('a device token is counted by its subject: locked on any address, while the address without it is not', async () => {
    const s = await shop()
    const [g1] = await gifts(1)
    const device = await token(`dev-${uniq()}`, ['shop'])
    for (let i = 0; i < 5; i++) {
      expect((await use(s, g1!, '0000', { ip: `192.0.2.${i + 1}`, token: device })).body.error.code).toBe('INVALID_PIN')
    }
    expect((await use(s, g1!, s.pin, { ip: '192.0.2.99', token: device })).status).toBe(429)
    expect((await use(s, g1!, s.pin, { ip: '192.0.2.1' })).status).toBe(200)
  })

  it('IPv6 addresses of one /64 count together', async () => {
    const s = await shop()
    const [g1] = await gifts(1)
    for (let i = 0; i < 5; i++) await use(s, g1!, '0000', { ip: `2001:db8:1:2::${i + 1}` })
    expect((await use(s, g1!, s.pin, { ip: '2001:db8:1:2:ffff::9' })).status).toBe(429)
    expect((await use(s, g1!, s.pin, { ip: '2001:db8:1:3::1' })).status).toBe(200)
  })

  it('the ceiling: 50 wrong PINs from 10 addresses lock the supplier for everyone; other suppliers are unaffected', async () => {
    const s = await shop()
    const other = await shop()
    const [g1, g2] = await gifts(2)
    for (let a = 0; a < 10; a++) {
      const from = { ip: `100.64.${a}.1` }
      const results = await Promise.all(Array.from({ length: 5 }, () => use(s, g1!, '0000', from)))
      expect(results.map((r) => r.body.error.code)).toEqual(Array(5).fill('INVALID_PIN'))
    }
    const locked = await use(s, g1!, s.pin, { ip: '100.65.0.1' })
    expect(locked.status).toBe(429)
    expect(locked.body.error.details.scope).toBe('supplier')
    expect((await use(other, g2!, other.pin, { ip: '100.64.0.1' })).status).toBe(200)
  })

  it('parallel wrong PINs from one caller cannot outrun its limit: at most 5 + 20 in flight are verified', async () => {
    const s = await shop()
    const [g1] = await gifts(1)
    const results = await Promise.all(Array.from({ length: 40 }, () => use(s, g1!, '0000', { ip: '203.0.113.200' })))
    const codes = results.map((r) => r.body.error.code)
    const verified = codes.filter((c) => c === 'INVALID_PIN').length
    expect(verified).toBeGreaterThanOrEqual(5)
    expect(verified).toBeLessThanOrEqual(25)
    expect(codes.filter((c) => c === 'PIN_LOCKED')).toHaveLength(40 - verified)
    expect((await use(s, g1!, s.pin, { ip: '203.0.113.200' })).status).toBe(429)
    expect((await use(s, g1!, s.pin, { ip: '203.0.113.201' })).status).toBe(200)
  })
})

describe('RedisPinLockout fails closed', () => {
  // The route's 503 with Redis down is tests/integration/chaos/redis-down.test.ts (the dev server's outage switch).
  it('throws DependencyUnavailable when Redis refuses the call', async () => {
    const e = env as unknown as Record<string, string>
    const unreachable = new Redis({ url: e['UPSTASH_REDIS_REST_URL']!, token: 'not-the-token', retry: false, enableTelemetry: false })
    const lockout = new RedisPinLockout(unreachable)
    const attempt = { supplierCode: 'X' as SupplierCode, caller: 'ip:1' }
    await expect(lockout.reserve(attempt)).rejects.toBeInstanceOf(DependencyUnavailable)
    await expect(lockout.settle(attempt, false)).rejects.toBeInstanceOf(DependencyUnavailable)
  })
})
