import { createHash } from 'node:crypto'
import { md5 } from '@noble/hashes/legacy.js'
import PAYPAY from '@paypayopa/paypayopa-sdk-node'
import { describe, expect, it } from 'vitest'
import { opaAuthorization, opaBodyHash, opaMacData, opaNonce } from '../../../src/loyalty/adapters/opa-auth.ts'

/**
 * The project's OPA-Auth signer (Web Crypto + @noble/hashes' MD5, since Web Crypto has no MD5 in
 * Deno or Node, so it runs in workerd and Deno) against PayPay's published FAQ vectors and against
 * the official Node SDK's own header for the same inputs.
 */
describe('md5 (@noble/hashes, pure JS)', () => {
  it('matches RFC 1321 and node:crypto across block boundaries', () => {
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
    expect(hex(md5(new Uint8Array()))).toBe('d41d8cd98f00b204e9800998ecf8427e')
    expect(hex(md5(new TextEncoder().encode('abc')))).toBe('900150983cd24fb0d6963f7d28e17f72')
    expect(hex(md5(new TextEncoder().encode('message digest')))).toBe('f96b697d7cb7938d525a2f31aaf161d0')
    for (const n of [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 4097]) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff)
      expect(hex(md5(data)), `length ${n}`).toBe(createHash('md5').update(data).digest('hex'))
    }
    const unicode = new TextEncoder().encode('ポイント交換 {"amount":100}')
    expect(hex(md5(unicode))).toBe(createHash('md5').update(unicode).digest('hex'))
  })
})

describe('OPA-Auth', () => {
  it("reproduces PayPay's FAQ HMAC vectors (docs/protocols/paypay-opa.md)", async () => {
    expect(
      await opaMacData('sample_secret', {
        path: '/v2/payments/TEST_merchantPaymentID',
        method: 'GET',
        nonce: 'a360e2',
        epoch: '1743139337',
        contentType: 'empty',
        hash: 'empty',
      }),
    ).toBe('JbUZwAUKeQ+WDClEjkCGwYG/juFR+Dd5RK5AfL0gK9w=')
    expect(
      await opaMacData('sample_secret', {
        path: '/v2/codes',
        method: 'POST',
        nonce: 'fedaa4',
        epoch: '1743138611',
        contentType: 'application/json',
        hash: 'T9wzkv1tUWIxzIHQUT7iDQ==',
      }),
    ).toBe('C2a7jD7OjL1DXnZhSYQfRI2Oxfdh43htV7pG8cwgCy4=')
  })

  it('hashes MD5(content type ‖ body), "empty" without a body, and signs the path without its query', async () => {
    const body = '{"merchantCashbackId":"pcb_1","amount":{"amount":100,"currency":"JPY"}}'
    expect(opaBodyHash('application/json', body)).toBe(createHash('md5').update('application/json').update(body).digest('base64'))
    expect(opaBodyHash('application/json', null)).toBe('empty')
    const a = await opaAuthorization('k', 's', {
      method: 'GET',
      path: '/v2/user/authorizations?userAuthorizationId=x',
      nonce: 'n1',
      epoch: 1,
      contentType: 'application/json',
      body: null,
    })
    const b = await opaAuthorization('k', 's', {
      method: 'GET',
      path: '/v2/user/authorizations',
      nonce: 'n1',
      epoch: 1,
      contentType: 'application/json',
      body: null,
    })
    expect(a).toBe(b)
    expect(a).toMatch(/^hmac OPA-Auth:k:[A-Za-z0-9+/]+=*:n1:1:empty$/)
    expect(opaNonce()).toMatch(/^[a-z0-9]{8}$/)
  })

  it("equals the official Node SDK's header for the same request, nonce and epoch", async () => {
    const secret = Buffer.from('an-api-secret-for-the-comparison').toString('base64')
    const sdk = new PAYPAY.PayPayRestSDK()
    sdk.configure({ clientId: 'api-key-1', clientSecret: secret, merchantId: 'merchant-1' })
    const createAuthHeader = (sdk as unknown as { createAuthHeader(method: string, path: string, body: unknown): string }).createAuthHeader
    const requests: Array<[string, string, Record<string, unknown> | null]> = [
      [
        'POST',
        '/v2/cashback',
        {
          merchantCashbackId: 'pcb_01ABC',
          userAuthorizationId: 'ua-1',
          amount: { amount: 120, currency: 'JPY' },
          requestedAt: 1750000000,
          orderDescription: 'ポイント交換',
          walletType: 'PREPAID',
        },
      ],
      [
        'POST',
        '/v2/cashback_reversal',
        {
          merchantCashbackReversalId: 'pcr_1',
          merchantCashbackId: 'pcb_1',
          amount: { amount: 5, currency: 'JPY' },
          requestedAt: 1750000001,
        },
      ],
      ['GET', '/v2/cashback/pcb_01ABC', null],
      ['GET', '/v2/cashback_reversal/pcr_1/pcb_1', null],
      ['DELETE', '/v2/user/authorizations/ua-1', null],
    ]
    for (const [method, path, body] of requests) {
      const theirs = createAuthHeader(method, path, body)
      const [, , , nonce, epoch] = theirs.replace('hmac OPA-Auth:', 'x:').split(':') as [string, string, string, string, string]
      const ours = await opaAuthorization('api-key-1', secret, {
        method,
        path,
        nonce,
        epoch,
        contentType: 'application/json',
        body: body === null ? null : JSON.stringify(body),
      })
      expect(ours, `${method} ${path}`).toBe(theirs)
    }
  })
})
