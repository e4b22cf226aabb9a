/**
 * Prefixed, time-sortable ids (`ord_01J…`): the prefix tells a reader what an id points at in a log
 * line, and the time-ordered body keeps B-tree inserts local. The body is a ULID (48-bit ms time +
 * 80 random bits, Crockford base32) built on Web Crypto, available in every runtime we serve from.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

export function ulid(nowMs: number = Date.now()): string {
  let time = ''
  let t = nowMs
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time
    t = Math.floor(t / 32)
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  let rand = ''
  for (let i = 0; i < 16; i++) rand += ALPHABET[bytes[i]! % 32]
  return time + rand
}

export function prefixedId<P extends string>(prefix: P, nowMs?: number): `${P}_${string}` {
  return `${prefix}_${ulid(nowMs)}`
}

/**
 * A stable id derived from `seed` (SHA-256, the same 26-character Crockford body as a ULID but
 * without its time order): for records a retried request must find again, e.g. the refund an
 * admin's Idempotency-Key names.
 */
export async function derivedId<P extends string>(prefix: P, seed: string): Promise<`${P}_${string}`> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(seed)))
  let body = ''
  for (let i = 0; i < 26; i++) body += ALPHABET[hash[i]! % 32]
  return `${prefix}_${body}`
}
