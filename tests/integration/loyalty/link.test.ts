import { env } from 'cloudflare:test'
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { call, token, uniq } from '../helpers.ts'
import { approveLink, exchange, grant, linkedUser, newUser, paypay } from './support.ts'

/** Account link (seed 000 "Login with PayPay") against the PayPay sandbox's real consent flow. */
const e = env as unknown as Record<string, string>
const secretBytes = () => Uint8Array.from(atob(e['PAYPAY_API_SECRET']!), (ch) => ch.charCodeAt(0))

async function forge(claims: Record<string, unknown>, key: Uint8Array = secretBytes()): Promise<string> {
  return new SignJWT({ iss: 'paypay.ne.jp', aud: e['PAYPAY_API_KEY'], ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setExpirationTime('5m')
    .sign(key)
}

function claimsOf(jwt: string): Record<string, any> {
  return JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')))
}

describe('PayPay account link', () => {
  it('session → consent → responseToken → linked; the session asked PayPay for scope cashback with our nonce', async () => {
    const u = await newUser()
    const { responseToken, sessionId } = await approveLink(u.token)
    const state = (await paypay('GET', '/__control/state')).body
    const session = state.sessions.find((s: any) => s.referenceId === sessionId)
    expect(session).toMatchObject({ scopes: ['cashback'], redirectType: 'WEB_LINK', state: 'approved' })
    expect(claimsOf(responseToken)).toMatchObject({ result: 'succeeded', nonce: session.nonce, referenceId: sessionId })

    const done = await call('PUT', '/api/v1/paypay/update_session', { token: u.token, body: { responseToken } })
    expect(done.status).toBe(200)
    expect(done.body.link).toMatchObject({ status: 'linked' })
    expect(Date.parse(done.body.link.expires_at)).toBeGreaterThan(Date.now() + 360 * 24 * 3600 * 1000)
    // The same token again (a retried PUT) answers the same link.
    const again = await call('PUT', '/api/v1/paypay/update_session', { token: u.token, body: { responseToken } })
    expect(again.status).toBe(200)
    expect((await call('GET', '/api/v1/paypay/sessions', { token: u.token })).body.link.status).toBe('linked')
    const page = await call('GET', '/mypage/points_exchange', { token: u.token })
    expect(page.body).toMatchObject({ paypay_configured: true, link: { status: 'linked' }, can_exchange: false })
  })

  it('PayPay’s browser redirect to the callback links the session’s user (no bearer needed)', async () => {
    const u = await newUser()
    const { responseToken } = await approveLink(u.token)
    const res = await call('GET', `/api/v1/paypay/sessions/callback?responseToken=${encodeURIComponent(responseToken)}`)
    expect(res.status).toBe(200)
    expect(res.body.link.status).toBe('linked')
    expect((await call('GET', '/api/v1/paypay/sessions', { token: u.token })).body.link.status).toBe('linked')
    // POST form the seed's way works as well for a new session.
    const v = await newUser()
    const second = await approveLink(v.token)
    const posted = await call('POST', '/api/v1/paypay/sessions/callback', {
      rawBody: new URLSearchParams({ responseToken: second.responseToken }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(posted.status).toBe(200)
  })

  it('refuses a token for another user’s session, a wrong signature, a wrong nonce, garbage and a declined link', async () => {
    const u = await newUser()
    const { responseToken, sessionId } = await approveLink(u.token)
    const claims = claimsOf(responseToken)
    const other = await token(`intruder-${uniq()}`)
    const stolen = await call('PUT', '/api/v1/paypay/update_session', { token: other, body: { responseToken } })
    expect(stolen.status).toBe(404)
    expect(stolen.body.error.code).toBe('LINK_SESSION_NOT_FOUND')

    const wrongKey = await forge({ ...claims }, new TextEncoder().encode('not-the-paypay-secret-0123456789'))
    expect(
      (await call('PUT', '/api/v1/paypay/update_session', { token: u.token, body: { responseToken: wrongKey } })).body.error.code,
    ).toBe('LINK_TOKEN_INVALID')
    const wrongNonce = await forge({ ...claims, nonce: 'guessed-nonce' })
    const nonceRes = await call('PUT', '/api/v1/paypay/update_session', { token: u.token, body: { responseToken: wrongNonce } })
    expect(nonceRes.status).toBe(400)
    expect(nonceRes.body.error.message).toContain('nonce')
    expect(
      (await call('PUT', '/api/v1/paypay/update_session', { token: u.token, body: { responseToken: 'garbage.garbage.garbage' } })).status,
    ).toBe(400)
    expect((await call('PUT', '/api/v1/paypay/update_session', { token: u.token, body: {} })).status).toBe(400)
    // None of that linked anything.
    expect((await call('GET', '/api/v1/paypay/sessions', { token: u.token })).body.link.status).toBe('none')

    const declined = await forge({ result: 'declined', nonce: claims['nonce'], referenceId: sessionId })
    const d = await call('PUT', '/api/v1/paypay/update_session', { token: u.token, body: { responseToken: declined } })
    expect(d.status).toBe(400)
    expect(d.body.error.code).toBe('LINK_DECLINED')
    // The session is closed now: even the genuine token no longer links.
    expect((await call('PUT', '/api/v1/paypay/update_session', { token: u.token, body: { responseToken } })).status).toBe(404)
  })

  it('unlinking tells PayPay and stops exchanges', async () => {
    const u = await linkedUser()
    await grant(u.id, 500)
    const res = await call('DELETE', '/api/v1/paypay/sessions', { token: u.token })
    expect(res.status).toBe(200)
    expect(res.body.link.status).toBe('unlinked')
    const state = (await paypay('GET', '/__control/state')).body
    expect(state.authorizations.find((a: any) => a.userAuthorizationId === u.userAuthorizationId).status).toBe('REVOKED')
    const ex = await exchange(u.token, 100)
    expect(ex.status).toBe(409)
    expect(ex.body.error.code).toBe('PAYPAY_NOT_LINKED')
    expect((await call('DELETE', '/api/v1/paypay/sessions', { token: u.token })).status).toBe(409)
  })

  it('an authorization that expired at PayPay is found on refresh and stops exchanges', async () => {
    const u = await linkedUser()
    await grant(u.id, 500)
    await paypay('POST', `/__control/authorizations/${u.userAuthorizationId}/revoke`, { reason: 'expired' })
    const refreshed = await call('GET', '/api/v1/paypay/sessions?refresh=true', { token: u.token })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.link.status).toBe('expired')
    const ex = await exchange(u.token, 100)
    expect(ex.status).toBe(409)
    expect(ex.body.error.code).toBe('PAYPAY_LINK_EXPIRED')
    // Linking again makes it live.
    const { responseToken } = await approveLink(u.token, u.phone)
    expect((await call('PUT', '/api/v1/paypay/update_session', { token: u.token, body: { responseToken } })).body.link.status).toBe(
      'linked',
    )
    expect((await exchange(u.token, 100)).status).toBe(201)
  })
})
