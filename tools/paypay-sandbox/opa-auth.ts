/**
 * Request authentication (docs/protocols/paypay-opa.md):
 * `Authorization: hmac OPA-Auth:{apiKey}:{macData}:{nonce}:{epoch}:{hash}`. The hash is base64 MD5 over the
 * Content-Type header value followed by the raw body bytes ("empty" when there is no body), and
 * macData is base64 HMAC-SHA256, keyed by the API secret's UTF-8 bytes (not base64-decoded), over
 * path, METHOD, nonce, epoch, content type and hash joined by "\n". The server recomputes from what
 * it actually received — the raw bytes and the header value — so a client that signs one thing and
 * sends another fails.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** "within 2 minutes" of server time; the fake-server checklist rejects |epoch − now| ≥ 120 s. */
export const EPOCH_WINDOW_SECONDS = 120

export interface OpaCredentials {
  apiKey: string
  apiSecret: string
  merchantId: string
  /** When false, a request without X-ASSUME-MERCHANT / assumeMerchant passes (a wrong one never does). */
  requireAssumeMerchant: boolean
}

export type AuthFailure = { kind: 'unauthorized'; detail: string } | { kind: 'client_not_found'; detail: string }

export interface SignInput {
  path: string
  method: string
  nonce: string
  epoch: string
  contentType: string
  body: Buffer | string
}

export function bodyHash(contentType: string, body: Buffer | string): string {
  if (body.length === 0) return 'empty'
  return createHash('md5').update(contentType, 'utf8').update(body).digest('base64')
}

/** base64 HMAC-SHA256 over the six "\n"-joined lines, keyed by the secret's UTF-8 bytes. */
export function signature(
  apiSecret: string,
  lines: { path: string; method: string; nonce: string; epoch: string; contentType: string; hash: string },
): string {
  const toSign = [lines.path, lines.method.toUpperCase(), lines.nonce, lines.epoch, lines.contentType, lines.hash].join('\n')
  return createHmac('sha256', Buffer.from(apiSecret, 'utf8')).update(toSign, 'utf8').digest('base64')
}

/** The payload hash and macData for a request as it goes on the wire. */
export function macData(apiSecret: string, s: SignInput): { hash: string; mac: string } {
  const contentType = s.body.length === 0 ? 'empty' : s.contentType
  const hash = bodyHash(contentType, s.body)
  return { hash, mac: signature(apiSecret, { ...s, contentType, hash }) }
}

export function authorizationHeader(apiKey: string, apiSecret: string, s: SignInput): string {
  const { hash, mac } = macData(apiSecret, s)
  return `hmac OPA-Auth:${apiKey}:${mac}:${s.nonce}:${s.epoch}:${hash}`
}

/** Nonces seen inside the epoch window; a nonce may be used once per API key. */
export class NonceCache {
  private readonly seen = new Map<string, number>()

  /** Records the nonce; false when it was already used and is still remembered. */
  claim(nonce: string, nowSeconds: number): boolean {
    for (const [n, until] of this.seen) if (until <= nowSeconds) this.seen.delete(n)
    if (this.seen.has(nonce)) return false
    // Remembered for twice the window: an epoch can sit up to one window on either side of now.
    this.seen.set(nonce, nowSeconds + 2 * EPOCH_WINDOW_SECONDS)
    return true
  }

  clear(): void {
    this.seen.clear()
  }
}

const HEADER = /^hmac OPA-Auth:([^:]+):([^:]+):([^:]+):([^:]+):([^:]+)$/

/** Verifies one API request; undefined means authenticated. */
export function verifyRequest(
  creds: OpaCredentials,
  nonces: NonceCache,
  req: IncomingMessage,
  body: Buffer,
  nowMs: number,
): AuthFailure | undefined {
  const header = req.headers['authorization']
  if (!header) return { kind: 'unauthorized', detail: 'missing Authorization header' }
  const m = HEADER.exec(header)
  if (!m) return { kind: 'unauthorized', detail: 'Authorization is not "hmac OPA-Auth:apiKey:macData:nonce:epoch:hash"' }
  const [, apiKey, mac, nonce, epoch, hash] = m as unknown as [string, string, string, string, string, string]
  if (apiKey !== creds.apiKey) return { kind: 'unauthorized', detail: 'unknown API key' }

  const rawUrl = req.url ?? '/'
  const q = rawUrl.indexOf('?')
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q)
  const expected = macData(creds.apiSecret, {
    path,
    method: req.method ?? 'GET',
    nonce,
    epoch,
    contentType: req.headers['content-type'] ?? '',
    body,
  })
  if (!sameText(hash, expected.hash)) return { kind: 'unauthorized', detail: 'payload hash does not match Content-Type + body' }
  if (!sameText(mac, expected.mac)) return { kind: 'unauthorized', detail: 'macData does not match the signed request' }

  const nowSeconds = Math.floor(nowMs / 1000)
  if (!/^\d{1,12}$/.test(epoch) || Math.abs(nowSeconds - Number(epoch)) >= EPOCH_WINDOW_SECONDS) {
    return { kind: 'unauthorized', detail: `epoch must be unix seconds within ${EPOCH_WINDOW_SECONDS} s of server time` }
  }
  if (!nonces.claim(`${apiKey}:${nonce}`, nowSeconds)) return { kind: 'unauthorized', detail: 'nonce already used' }

  // The query parameter wins over the header (docs/protocols/paypay-opa.md).
  const merchant = new URL(rawUrl, 'http://x').searchParams.get('assumeMerchant') ?? headerValue(req, 'x-assume-merchant')
  if (merchant === undefined) {
    return creds.requireAssumeMerchant ? { kind: 'unauthorized', detail: 'X-ASSUME-MERCHANT header is required' } : undefined
  }
  if (merchant !== creds.merchantId) return { kind: 'client_not_found', detail: `merchant ${merchant} is not linked to this API key` }
  return undefined
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
