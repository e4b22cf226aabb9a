import { getTableColumns, sql, type SQL } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'
import type { AuditEntry } from '../shared/audit.ts'

/**
 * SQL pieces every context's one-statement units of work share (docs/round-trips.md): the audit
 * row travels inside the statement that makes the change, so both commit or neither does.
 */

/** A timestamptz parameter (dates travel as ISO text; the cast names the type). */
export const ts = (d: Date): SQL => sql`${d.toISOString()}::timestamptz`

/** An audit entry as the plpgsql units of work read it (drizzle/0010-0012: `p_audit jsonb`). */
export const auditRecord = (a: AuditEntry) => ({
  actor: a.actor,
  action: a.action,
  entity_type: a.entityType,
  entity_id: a.entityId,
  request_id: a.requestId,
  data: a.data ?? null,
  created_at: a.at.toISOString(),
})

/** The same, as the text of a `${auditJsonb(a)}::jsonb` parameter. */
export const auditJsonb = (a: AuditEntry): string => JSON.stringify(auditRecord(a))

const CTE_NAME = /^[a-z_][a-z0-9_]*$/

/**
 * `insert into audit_log … select … from <from>`: one audit row per row of the CTE `from` (one-row
 * CTEs), so when the guarded write before it changed nothing, no audit row is written either.
 */
export function auditInsertFrom(a: AuditEntry, from: string): SQL {
  if (!CTE_NAME.test(from)) throw new Error(`not a CTE name: ${from}`)
  return sql`insert into audit_log (actor, action, entity_type, entity_id, request_id, data, created_at)
    select ${a.actor}::text, ${a.action}::text, ${a.entityType}::text, ${a.entityId}::text, ${a.requestId}::text,
      ${a.data === undefined || a.data === null ? null : JSON.stringify(a.data)}::jsonb, ${ts(a.at)}
    from ${sql.raw(from)}`
}

/**
 * A row as `row_to_json`/`to_jsonb` returns it from a CTE (snake_case keys, timestamps as text)
 * mapped with the table's own column decoders, so one mapper per table serves both that and a
 * query-builder select.
 */
export function fromJson<T extends PgTable>(table: T, json: Record<string, unknown>): T['$inferSelect'] {
  const out: Record<string, unknown> = {}
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const v = json[column.name]
    out[key] = v === null || v === undefined ? null : column.mapFromDriverValue(v)
  }
  return out as T['$inferSelect']
}
