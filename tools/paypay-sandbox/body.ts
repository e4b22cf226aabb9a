/**
 * Request-body field checks (docs/protocols/paypay-opa.md). A missing required field answers
 * MISSING_REQUEST_PARAMS, a present but malformed one INVALID_REQUEST_PARAMS; the first problem
 * found wins and its message names the field.
 */
import { CODES, type Code } from './codes.ts'
import type { Money } from './store.ts'

export type Json = Record<string, unknown>

export interface Problem {
  code: Code
  detail: string
}

/** The body as a JSON object, or undefined when it is not one. */
export function parseJsonObject(body: Buffer): Json | undefined {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'))
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined
  } catch {
    return undefined
  }
}

/** Largest plausible epoch in seconds (year 2286); bigger values are milliseconds sent by mistake. */
const MAX_EPOCH_SECONDS = 9_999_999_999

export class FieldReader {
  problem: Problem | undefined

  constructor(private readonly j: Json) {}

  private fail(code: Code, detail: string): undefined {
    this.problem ??= { code, detail }
    return undefined
  }

  private present(field: string, required: boolean): unknown {
    const v = this.j[field]
    if (v === undefined || v === null || v === '') {
      if (required) this.fail(CODES.MISSING_REQUEST_PARAMS, field)
      return undefined
    }
    return v
  }

  /** A merchant- or PayPay-issued id: a string of at most 64 characters. */
  id(field: string): string | undefined {
    const v = this.present(field, true)
    if (v === undefined) return undefined
    if (typeof v !== 'string' || v.length > 64)
      return this.fail(CODES.INVALID_REQUEST_PARAMS, `${field} must be a string of at most 64 characters`)
    return v
  }

  text(field: string, max: number, required = false): string | undefined {
    const v = this.present(field, required)
    if (v === undefined) return undefined
    if (typeof v !== 'string' || v.length > max)
      return this.fail(CODES.INVALID_REQUEST_PARAMS, `${field} must be a string of at most ${max} characters`)
    return v
  }

  /** {amount: positive integer, currency: "JPY"} — the only currency the enum allows. */
  money(field: string): Money | undefined {
    const v = this.present(field, true)
    if (v === undefined) return undefined
    if (typeof v !== 'object' || Array.isArray(v)) return this.fail(CODES.INVALID_REQUEST_PARAMS, `${field} must be {amount, currency}`)
    const { amount, currency } = v as Json
    if (amount === undefined || amount === null) return this.fail(CODES.MISSING_REQUEST_PARAMS, `${field}.amount`)
    if (currency === undefined || currency === null || currency === '') return this.fail(CODES.MISSING_REQUEST_PARAMS, `${field}.currency`)
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 1) {
      return this.fail(CODES.INVALID_REQUEST_PARAMS, `${field}.amount must be a positive integer (yen)`)
    }
    if (currency !== 'JPY') return this.fail(CODES.INVALID_REQUEST_PARAMS, `${field}.currency must be JPY`)
    return { amount, currency }
  }

  epochSeconds(field: string): number | undefined {
    const v = this.present(field, true)
    if (v === undefined) return undefined
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_EPOCH_SECONDS) {
      return this.fail(CODES.INVALID_REQUEST_PARAMS, `${field} must be unix epoch seconds`)
    }
    return v
  }

  oneOf<T extends string>(field: string, values: readonly T[]): T | undefined {
    const v = this.present(field, false)
    if (v === undefined) return undefined
    if (!values.includes(v as T)) return this.fail(CODES.INVALID_REQUEST_PARAMS, `${field} must be one of ${values.join(', ')}`)
    return v as T
  }

  /** A calendar date written YYYY-MM-DD. */
  date(field: string): string | undefined {
    const v = this.present(field, false)
    if (v === undefined) return undefined
    const t = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : NaN
    // Round-tripping rejects dates such as 2025-02-30 that a lenient parser rolls over.
    if (Number.isNaN(t) || !new Date(t).toISOString().startsWith(v as string)) {
      return this.fail(CODES.INVALID_REQUEST_PARAMS, `${field} must be a date YYYY-MM-DD`)
    }
    return v as string
  }

  /** An object per the docs; the SDK fixtures also send "" (kept as given). */
  metadata(field: string): unknown {
    const v = this.j[field]
    if (v === undefined || v === null) return undefined
    if (typeof v === 'string' || (typeof v === 'object' && !Array.isArray(v))) return v
    return this.fail(CODES.INVALID_REQUEST_PARAMS, `${field} must be an object`)
  }

  stringArray(field: string): string[] | undefined {
    const v = this.present(field, true)
    if (v === undefined) return undefined
    if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string' && s !== '')) {
      return this.fail(CODES.INVALID_REQUEST_PARAMS, `${field} must be a non-empty array of strings`)
    }
    return v as string[]
  }
}

/** Stable JSON (sorted keys) so two bodies that mean the same compare equal. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Json)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`
  }
  return JSON.stringify(v) ?? 'null'
}
