/**
 * The largest value of a Postgres `integer` column (amounts, quantities, versions): a request value
 * above it would fail the query ("out of range for type integer") and answer 500, so request
 * schemas cap what they accept at it.
 */
export const PG_INTEGER_MAX = 2_147_483_647

/**
 * Postgres text cannot hold U+0000 (the query fails with "invalid byte sequence"), so a NUL in any
 * accepted string is refused here, for every route at once, instead of surfacing as a 500.
 * Returns the path of the first offending string, or null.
 */
export function nulPath(value: unknown, path: string[] = [], depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') : null
  if (depth > 32 || value === null || typeof value !== 'object') return null
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return [...path, k].join('.')
    const found = nulPath(v, [...path, k], depth + 1)
    if (found !== null) return found
  }
  return null
}
