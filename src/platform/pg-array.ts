/**
 * Postgres array literals for array parameters (`${pgTextArray(ids)}::text[]`): drizzle's sql
 * template sends a JS array as a list of parameters, and postgres.js sends these as text literals.
 */
export const pgTextArray = (xs: readonly string[]): string => `{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`

export const pgIntArray = (xs: readonly number[]): string => `{${xs.map((x) => String(Math.trunc(x))).join(',')}}`
