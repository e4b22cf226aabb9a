import { monotonicFactory } from 'ulid'

/**
 * Prefixed, time-sortable ids (`ord_01J…`): the prefix tells a reader what an id points at in a log
 * line, and the time-ordered body keeps B-tree inserts local. The body is a ULID (48-bit ms time +
 * 80 random bits, Crockford base32) from the `ulid` package: pure JS, drawing from Web Crypto's
 * getRandomValues on globalThis in workerd, Deno and Node. Monotonic per isolate: ids made in the
 * same millisecond (workerd's clock stands still between I/O) sort in the order they were made,
 * and a clock that steps back never makes an id sort before an earlier one.
 */
export const ulid: (nowMs?: number) => string = monotonicFactory()

export function prefixedId<P extends string>(prefix: P, nowMs?: number): `${P}_${string}` {
  return `${prefix}_${ulid(nowMs)}`
}

/**
 * A stable id derived from `seed` (SHA-256, the same 26-character Crockford body as a ULID but
 * without its time order): for records a retried request must find again, e.g. the refund an
 * admin's Idempotency-Key names.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
export async function derivedId<P extends string>(prefix: P, seed: string): Promise<`${P}_${string}`> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(seed)))
  let body = ''
  for (let i = 0; i < 26; i++) body += CROCKFORD[hash[i]! % 32]
  return `${prefix}_${body}`
}
