import type { Reply } from './resp.ts'

/**
 * Turns a Redis reply into Upstash's JSON result. With `Upstash-Encoding: base64` (the official
 * client's default) every string is base64 of its bytes, so binary and unicode survive JSON; a
 * top-level "OK" stays plain, as Upstash sends it and the client expects.
 */
export function toResult(reply: Reply, base64: boolean, topLevel = true): unknown {
  switch (reply.kind) {
    case 'simple':
      return base64 && !(topLevel && reply.value === 'OK') ? Buffer.from(reply.value).toString('base64') : reply.value
    case 'int':
      return reply.value
    case 'bulk':
      if (reply.value === null) return null
      return base64 ? reply.value.toString('base64') : reply.value.toString('utf8')
    case 'array':
      return reply.value === null ? null : reply.value.map((r) => toResult(r, base64, false))
    case 'error':
      return null
  }
}

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
