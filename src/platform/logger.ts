/**
 * JSON-lines logs, one object per event, so Workers Logs and `wrangler tail` can filter by field.
 * Fields whose names look secret are masked before anything is written: a PIN, token or signature
 * must never reach a log, whatever a caller passes.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }
const SECRET_KEY = /pin|secret|password|passwd|token|authorization|signature|api[_-]?key|cookie/i

import type { Logger } from '../shared/logger.ts'
export type { Logger }

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value
  if (value instanceof Error) {
    // The cause is what says why (a driver's "too many clients" under drizzle's "Failed query").
    const cause = value.cause === undefined ? undefined : redact(value.cause, depth + 1)
    return { name: value.name, message: value.message, stack: value.stack, ...(cause !== undefined && { cause }) }
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1)
  return out
}

export function createLogger(
  level: LogLevel = 'info',
  base: Record<string, unknown> = {},
  sink: (line: string) => void = (line) => console.log(line),
): Logger {
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return
    sink(JSON.stringify({ ts: new Date().toISOString(), level: lvl, msg, ...(redact({ ...base, ...fields }) as object) }))
  }
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, sink),
  }
}
