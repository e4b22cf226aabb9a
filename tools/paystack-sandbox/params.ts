/**
 * Request bodies as Paystack accepts them (docs/protocols/paystack.md): JSON or form-encoded. JSON
 * keeps its types (amount may be a number or a string); form fields are strings, with `channels[]`
 * or a repeated `channels` read as an array.
 */
import { readJsonObject } from '../shared/http-kit.ts'

export type Input = Record<string, unknown>

/** Returns null when the body cannot be parsed into an object. */
export function readApiBody(contentType: string | undefined, body: Buffer): Input | null {
  const text = body.toString('utf8').trim()
  if (text === '') return {}
  const type = contentType ?? ''
  if (type.includes('application/x-www-form-urlencoded')) {
    const out: Input = {}
    const form = new URLSearchParams(text)
    for (const key of new Set(form.keys())) {
      const values = form.getAll(key)
      if (key.endsWith('[]')) out[key.slice(0, -2)] = values
      else out[key] = values.length > 1 ? values : values[0]
    }
    return out
  }
  return readJsonObject(body)
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * An amount in the currency's smallest unit: a non-negative integer, given as a JSON number or a
 * string of digits (Paystack's own snippet sends "20000"). Undefined when it is neither.
 */
export function parseAmount(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined
  if (typeof v === 'string' && /^\d{1,16}$/.test(v.trim())) {
    const n = Number(v.trim())
    return Number.isSafeInteger(n) ? n : undefined
  }
  return undefined
}

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}
