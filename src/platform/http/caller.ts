import type { Principal } from '../auth.ts'

/**
 * Who is calling, for the limits that count a caller's attempts (the login throttle, the gift PIN
 * lockout). One place reads the client's address, so every limit trusts the same header.
 */

interface Request {
  req: { header(name: string): string | undefined }
}

/**
 * The client's address. Cloudflare sets CF-Connecting-IP itself (clients cannot forge it); Deno's
 * entry sets it from the socket and drops any copy the client sent (src/deno.ts).
 */
export const clientIp = (c: Request): string | undefined => c.req.header('cf-connecting-ip')

/**
 * Whose attempts count together: the token's subject when the caller sent one (verified by the auth
 * middleware), else its address. An IPv6 address counts by its /64, which one host usually holds
 * whole (rotating addresses inside it must not reset the count); IPv4 in IPv6 form is that IPv4.
 */
export function callerKey(userId: string | undefined, ip: string | undefined): string {
  if (userId !== undefined) return `user:${userId}`
  if (!ip) return 'ip:unknown'
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] ?? (ip.includes(':') ? null : ip)
  return `ip:${v4 ?? ipv6Prefix64(ip)}`
}

/** `callerKey` of a request: its principal (if any) and its address. */
export const callerOf = (c: Request & { var: { principal?: Principal | undefined } }): string =>
  callerKey(c.var.principal?.userId, clientIp(c))

function ipv6Prefix64(ip: string): string {
  const [head = '', tail] = ip.toLowerCase().split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}
