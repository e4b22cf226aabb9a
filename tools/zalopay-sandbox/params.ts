/**
 * Request parameters as ZaloPay receives them: JSON body, form body, or — as the official sample
 * does — query string with an empty body. Values stay the strings the merchant signed.
 */
export type Params = Record<string, string>

/**
 * Merges query-string and body parameters (body wins). Returns null when the body cannot be
 * parsed. JSON numbers and booleans become their text; objects and arrays are dropped, because
 * ZaloPay's fields (embed_data, item included) are strings and such a field counts as missing.
 */
export function readParams(url: string, contentType: string | undefined, body: Buffer): Params | null {
  const out: Params = Object.fromEntries(new URL(url).searchParams)
  const text = body.toString('utf8').trim()
  if (text === '') return out
  const type = contentType ?? ''
  const looksJson = type.includes('json') || (!type.includes('form') && text.startsWith('{'))
  if (!looksJson) return { ...out, ...Object.fromEntries(new URLSearchParams(text)) }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v === 'string') out[k] = v
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v)
  }
  return out
}

export const isDigits = (s: string | undefined): s is string => s !== undefined && /^\d{1,18}$/.test(s)
export const isPositiveInt = (s: string | undefined): s is string =>
  s !== undefined && /^[1-9]\d{0,15}$/.test(s) && Number(s) <= Number.MAX_SAFE_INTEGER
