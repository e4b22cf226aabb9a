import { env } from 'cloudflare:test'
import { sql } from 'drizzle-orm'
import { expect } from 'vitest'
import { runJob } from '../commerce/jobs.ts'
import { sharedDb } from '../db.ts'
import { adminToken, call, token, uniq } from '../helpers.ts'

/** Helpers for the loyalty tests: the PayPay sandbox's control API, linking, grants, ledger checks. */
const e = env as unknown as Record<string, string>
export const paypayUrl = () => e['PAYPAY_API_URL']!

export async function paypay(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${paypayUrl()}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

/** Every call the sandbox received for one merchantCashbackId (optionally one operation). */
export async function paypayCalls(merchantCashbackId: string, operation?: string): Promise<any[]> {
  const q = new URLSearchParams({ merchantCashbackId, ...(operation && { operation }) })
  return (await paypay('GET', `/__control/requests?${q}`)).body.requests
}

export interface TestUser {
  id: string
  token: string
  userAuthorizationId: string
  phone: string
}

export const newUser = async (prefix = 'pp'): Promise<{ id: string; token: string }> => {
  const id = `${prefix}-${uniq()}`
  return { id, token: await token(id) }
}

/** The real flow: our session → the sandbox's consent page (Approve) → responseToken → update_session. */
export async function approveLink(
  t: string,
  phone = `090${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
): Promise<{ responseToken: string; sessionId: string }> {
  const session = await call('POST', '/api/v1/paypay/sessions', { token: t })
  expect(session.status, JSON.stringify(session.body)).toBe(201)
  const res = await fetch(session.body.link_url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action: 'approve', phone }).toString(),
    redirect: 'manual',
  })
  expect(res.status).toBe(303)
  const location = res.headers.get('location')!
  expect(location.startsWith(`${e['PUBLIC_BASE_URL']}/api/v1/paypay/sessions/callback?`)).toBe(true)
  await res.text()
  return { responseToken: new URL(location).searchParams.get('responseToken')!, sessionId: session.body.session_id }
}

export async function linkedUser(prefix = 'pp'): Promise<TestUser> {
  const u = await newUser(prefix)
  const phone = `080${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`
  const { responseToken } = await approveLink(u.token, phone)
  const done = await call('PUT', '/api/v1/paypay/update_session', { token: u.token, body: { responseToken } })
  expect(done.status, JSON.stringify(done.body)).toBe(200)
  expect(done.body.link.status).toBe('linked')
  const state = (await paypay('GET', '/__control/state')).body
  const auth = state.authorizations.find((a: any) => a.phoneNumber === phone)
  expect(auth).toBeTruthy()
  return { ...u, userAuthorizationId: auth.userAuthorizationId, phone }
}

export async function grant(userId: string, points: number, key = `grant-${uniq()}`): Promise<any> {
  const res = await call('POST', '/api/admin/loyalty/points', {
    token: await adminToken(),
    body: { user_id: userId, points, reason: 'test grant', idempotency_key: key },
  })
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300)
  return res.body
}

export const exchange = (t: string, points: number, headers: Record<string, string> = {}) =>
  call('POST', '/mypage/point_input', { token: t, body: { points }, headers })

export async function exchanged(u: TestUser, points: number): Promise<string> {
  const res = await exchange(u.token, points)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.cashback.merchant_cashback_id as string
}

export const give = (id: string) => runJob('loyalty.give-cashback', { merchant_cashback_id: id })
export const reverse = (id: string) => runJob('loyalty.reverse-cashback', { merchant_cashback_reversal_id: id })
export const checkCashbacks = (payload: Record<string, number> = {}) =>
  runJob('loyalty.check-cashbacks', { check_after_seconds: 0, ...payload })
export const checkReversals = (payload: Record<string, number> = {}) =>
  runJob('loyalty.check-reversals', { check_after_seconds: 0, ...payload })

export async function cashback(id: string): Promise<any> {
  const res = await call('GET', `/api/admin/loyalty/cashbacks/${id}`, { token: await adminToken() })
  expect(res.status).toBe(200)
  return res.body
}

/** Settles a cashback in the sandbox; SUCCESS may already have happened on its own (409). */
export async function settle(id: string, outcome: 'SUCCESS' | 'FAILURE', extra: Record<string, unknown> = {}): Promise<void> {
  const res = await paypay('POST', `/__control/cashbacks/${id}/settle`, { outcome, ...extra })
  if (outcome === 'SUCCESS' && res.status === 409) return
  expect(res.status, JSON.stringify(res.body)).toBe(200)
}

export async function ledger(userId: string): Promise<{
  balance: number
  sum: number
  entries: Array<{ kind: string; points: number; idempotency_key: string; reference_id: string | null }>
}> {
  const db = sharedDb()
  const [acct] = await db.execute<{ balance: number }>(sql`select balance from points_accounts where user_id = ${userId}`)
  const entries = await db.execute<{ kind: string; points: number; idempotency_key: string; reference_id: string | null }>(
    sql`select kind, points, idempotency_key, reference_id from points_ledger where user_id = ${userId} order by id`,
  )
  return { balance: acct?.balance ?? 0, sum: entries.reduce((s, r) => s + r.points, 0), entries: [...entries] }
}

/** The invariant of the ledger: the stored balance is the sum of the user's entries. */
export async function expectLedgerConsistent(userId: string): Promise<number> {
  const l = await ledger(userId)
  expect(l.sum).toBe(l.balance)
  expect(l.balance).toBeGreaterThanOrEqual(0)
  return l.balance
}

export async function execSql(q: ReturnType<typeof sql>): Promise<any[]> {
  const db = sharedDb()
  return [...(await db.execute(q))]
}
