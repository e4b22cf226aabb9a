import { getTableName, isTable, sql } from 'drizzle-orm'
import * as schema from '../../../src/db/schema.ts'
import { sharedDb } from '../db.ts'

/**
 * Every table declared in src/db/schema.ts and the *-schema.ts files it re-exports, so a table
 * added later is watched without editing this list.
 */
export const TABLES: string[] = [
  ...new Set(
    Object.values(schema)
      .filter((v) => isTable(v))
      .map((t) => getTableName(t as Parameters<typeof getTableName>[0])),
  ),
].sort()

/** Row counts of every table in one round trip. */
export async function rowCounts(): Promise<Record<string, number>> {
  const db = sharedDb()
  const cols = TABLES.map((t) => `(select count(*) from "${t}")::int as "${t}"`).join(', ')
  const [row] = await db.execute<Record<string, number>>(sql.raw(`select ${cols}`))
  return { ...row! }
}

export function diffCounts(before: Record<string, number>, after: Record<string, number>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const t of TABLES) if (before[t] !== after[t]) out[t] = `${before[t]} -> ${after[t]}`
  return out
}
