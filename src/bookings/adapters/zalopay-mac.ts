import { timingSafeEqualString } from '../../platform/crypto/constant-time.ts'
import { toHex } from '../../platform/crypto/encoding.ts'

/**
 * ZaloPay's MACs (docs/protocols/zalopay.md, "MACs"): lowercase hex HMAC-SHA256 over `|`-joined
 * fields, through Web Crypto so the same code runs in workerd, Deno and Node. Keys are imported
 * once per key.
 */
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>
const keys = new Map<string, Promise<HmacKey>>()

function importKey(secret: string): Promise<HmacKey> {
  let key = keys.get(secret)
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    keys.set(secret, key)
  }
  return key
}

export async function hmacSha256Hex(secret: string, input: string): Promise<string> {
  const sig = await crypto.subtle.sign('HMAC', await importKey(secret), new TextEncoder().encode(input))
  return toHex(new Uint8Array(sig))
}

/** Constant-time check of a hex MAC (case-sensitive, as ZaloPay sends lowercase). */
export async function macMatches(secret: string, input: string, mac: string): Promise<boolean> {
  return timingSafeEqualString(await hmacSha256Hex(secret, input), mac)
}

/** The `|`-joined inputs, in the documented field orders. */
export const macInput = {
  create: (o: { appId: number; appTransId: string; appUser: string; amount: number; appTime: number; embedData: string; item: string }) =>
    [o.appId, o.appTransId, o.appUser, o.amount, o.appTime, o.embedData, o.item].join('|'),
  /** key1 really is part of the query's own input. */
  query: (appId: number, appTransId: string, key1: string) => [appId, appTransId, key1].join('|'),
  refund: (r: { appId: number; zpTransId: string; amount: number; description: string; timestamp: number }) =>
    [r.appId, r.zpTransId, r.amount, r.description, r.timestamp].join('|'),
  queryRefund: (appId: number, mRefundId: string, timestamp: number) => [appId, mRefundId, timestamp].join('|'),
}
