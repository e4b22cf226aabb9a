import { md5 } from '@noble/hashes/legacy.js'
import { toBase64 } from '../../platform/crypto/encoding.ts'

/**
 * PayPay's request signature (docs/protocols/paypay-opa.md, "OPA-Auth"), on Web Crypto so it
 * runs in workerd and Deno:
 *   hash    = base64(MD5(contentType ‖ body))          | "empty" without a body (GET, DELETE)
 *   toSign  = path \n METHOD \n nonce \n epoch \n contentType \n hash   (path without the query)
 *   macData = base64(HMAC-SHA256(key = API secret as UTF-8, toSign))
 *   header  = "hmac OPA-Auth:" apiKey ":" macData ":" nonce ":" epoch ":" hash
 */
export interface OpaSignInput {
  readonly method: string
  /** The request path; anything from `?` on is not signed. */
  readonly path: string
  readonly nonce: string
  readonly epoch: number | string
  /** The Content-Type sent (ignored without a body). */
  readonly contentType: string
  /** The exact body bytes sent, or null/'' for none. */
  readonly body: string | null
}

const enc = new TextEncoder()

export function opaBodyHash(contentType: string, body: string | null): string {
  if (body === null || body === '') return 'empty'
  const ct = enc.encode(contentType)
  const b = enc.encode(body)
  const joined = new Uint8Array(ct.length + b.length)
  joined.set(ct)
  joined.set(b, ct.length)
  return toBase64(md5(joined))
}

type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>
const keys = new Map<string, Promise<HmacKey>>()
function hmacKey(secret: string): Promise<HmacKey> {
  let key = keys.get(secret)
  if (!key) {
    key = crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    keys.set(secret, key)
  }
  return key
}

export async function opaMacData(
  apiSecret: string,
  lines: { path: string; method: string; nonce: string; epoch: number | string; contentType: string; hash: string },
): Promise<string> {
  const toSign = [
    lines.path.split('?')[0],
    lines.method.toUpperCase(),
    lines.nonce,
    String(lines.epoch),
    lines.contentType,
    lines.hash,
  ].join('\n')
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(apiSecret), enc.encode(toSign))
  return toBase64(new Uint8Array(mac))
}

export async function opaAuthorization(apiKey: string, apiSecret: string, s: OpaSignInput): Promise<string> {
  const hasBody = s.body !== null && s.body !== ''
  const contentType = hasBody ? s.contentType : 'empty'
  const hash = opaBodyHash(contentType, s.body)
  const mac = await opaMacData(apiSecret, { path: s.path, method: s.method, nonce: s.nonce, epoch: s.epoch, contentType, hash })
  return `hmac OPA-Auth:${apiKey}:${mac}:${s.nonce}:${s.epoch}:${hash}`
}

const NONCE_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'
/** 8 random lowercase alphanumerics, the length PayPay recommends. */
export function opaNonce(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => NONCE_ALPHABET[b % NONCE_ALPHABET.length]).join('')
}
