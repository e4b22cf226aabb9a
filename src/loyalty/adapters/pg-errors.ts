/** True when `e` (or what it wraps: drizzle wraps postgres.js errors) is a unique violation. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const c = cur as { code?: unknown; constraint_name?: unknown; constraint?: unknown }
    if (c.code === '23505') return constraint === undefined || c.constraint_name === constraint || c.constraint === constraint
  }
  return false
}
