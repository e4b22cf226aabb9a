/**
 * Turns a Redis reply (as an engine returns it: Buffers or strings, numbers, null, nested arrays)
 * into Upstash's JSON result. With `Upstash-Encoding: base64` (the official client's default)
 * every string is base64 of its bytes, so binary and unicode survive JSON; a top-level "OK" stays
 * plain, as Upstash sends it and the client expects (the client reads a plain "OK" and a base64
 * "OK" alike, so a status reply and a bulk "OK" need not be told apart).
 */
export function toResult(reply: unknown, base64: boolean, topLevel = true): unknown {
  if (reply === null || reply === undefined || reply === false || reply instanceof Error) return null
  if (reply === true) return 1
  if (typeof reply === 'number') return reply
  if (typeof reply === 'bigint') return Number(reply)
  if (Array.isArray(reply)) return reply.map((r) => toResult(r, base64, false))
  const bytes = Buffer.isBuffer(reply) ? reply : Buffer.from(String(reply), 'utf8')
  if (!base64) return bytes.toString('utf8')
  return topLevel && bytes.equals(OK) ? 'OK' : bytes.toString('base64')
}

const OK = Buffer.from('OK')

/** Upstash accepts strings, numbers and booleans as arguments; Redis wants strings. */
export function toArgs(command: unknown): string[] | null {
  if (!Array.isArray(command) || command.length === 0) return null
  const out: string[] = []
  for (const a of command) {
    if (typeof a === 'string') out.push(a)
    else if (typeof a === 'number' || typeof a === 'boolean') out.push(String(a))
    else return null
  }
  return out
}
