import { isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { Db } from '../../platform/db.ts'
import { auditInsertFrom, fromJson, ts } from '../../platform/unit-of-work-sql.ts'
import type { AuditEntry } from '../../shared/audit.ts'
import { prefixedId } from '../../shared/ids.ts'
import type { NewLedgerEntry } from '../domain/ledger.ts'

/**
 * Building blocks of the loyalty units of work, each ONE data-modifying statement (issue 13): a
 * CTE gates the next on its rows, so a guard that matches nothing (status = expected, balance >=
 * debit) makes every later insert a no-op, and any constraint violation rolls the whole unit back.
 */

export { fromJson, ts }

/** A CTE name; never user input. */
export const cte = (name: string): SQL => sql.raw(name)

/** Runs a statement and returns its first row (a unit's final select always returns one; a lookup may return none). */
export async function one<T>(db: Db, query: SQL): Promise<T> {
  const rows = await db.execute<Record<string, unknown>>(query)
  return rows[0] as T
}

/** `json_agg` of a subquery's rows, `[]` when it has none, in the subquery's order (Postgres aggregates a sorted subquery in order). */
export const jsonRows = (subquery: SQL): SQL => sql`coalesce((select json_agg(row_to_json(r)) from (${subquery}) r), '[]'::json)`

/** `<name> as (insert into audit_log …)`: one audit row per row of `gate`. */
export function auditCte(name: string, gate: string, a: AuditEntry): SQL {
  return sql`${cte(name)} as (${auditInsertFrom(a, gate)})`
}

/**
 * `<name>_acct` and `<name>_entry`: moves the balance and appends the entry when `gate` has a row.
 * A credit upserts the account; a debit is the guarded update `balance + points >= 0` (nothing
 * matches when it does not fit, and then no entry is written). The entry carries the balance it
 * produced and its idempotency key under the unique index: a second entry for one fact fails the
 * whole statement instead of moving points twice.
 */
export function ledgerCtes(name: string, gate: string, e: NewLedgerEntry): SQL {
  const acct = cte(`${name}_acct`)
  const move =
    e.points > 0
      ? sql`insert into points_accounts (user_id, balance, updated_at)
          select ${e.userId}::text, ${e.points}::int, ${ts(e.at)} from ${cte(gate)}
          on conflict (user_id) do update set balance = points_accounts.balance + excluded.balance, updated_at = excluded.updated_at
          returning balance`
      : sql`update points_accounts set balance = balance + ${e.points}::int, updated_at = ${ts(e.at)}
          where user_id = ${e.userId}::text and balance + ${e.points}::int >= 0 and exists (select 1 from ${cte(gate)})
          returning balance`
  return sql`${acct} as (${move}),
    ${cte(`${name}_entry`)} as (
      insert into points_ledger (id, user_id, kind, points, balance_after, idempotency_key, reference_type, reference_id, reason, actor, request_id, created_at)
      select ${prefixedId('ple', e.at.getTime())}::text, ${e.userId}::text, ${e.kind}::text, ${e.points}::int, ${acct}.balance,
        ${e.idempotencyKey}::text, ${e.referenceType}::text, ${e.referenceId}::text, ${e.reason}::text, ${e.actor}::text, ${e.requestId}::text, ${ts(e.at)}
      from ${acct}
      returning *)`
}

/** A table whose rows carry a Give / Reverse lease (cashbacks, reversals). */
export interface LeasedTable<T extends PgTable> {
  readonly table: T
  readonly name: string
  readonly id: string
  readonly attempts: string
}

/**
 * One statement: takes the lease when the row is in `status` and nobody holds it (counting the
 * attempt), returning the row as it now is; otherwise the row's status in the same snapshot, so
 * the caller can tell not found, not pending and busy apart without reading again.
 */
export async function claimLease<T extends PgTable>(
  db: Db,
  t: LeasedTable<T>,
  id: string,
  status: string,
  token: string,
  now: Date,
  leaseUntil: Date,
): Promise<{ kind: 'claimed'; row: T['$inferSelect'] } | { kind: 'not_found' } | { kind: 'not_pending' | 'busy'; status: string }> {
  const [table, idCol, attempts] = [cte(t.name), cte(t.id), cte(t.attempts)]
  const r = await one<{ claimed: Record<string, unknown> | null; status: string | null }>(
    db,
    sql`with c as (
        update ${table} set lease_token = ${token}::text, lease_until = ${ts(leaseUntil)}, ${attempts} = ${attempts} + 1, updated_at = ${ts(now)}
        where ${idCol} = ${id}::text and status = ${status}::text and (lease_until is null or lease_until < ${ts(now)})
        returning *)
      select (select row_to_json(c) from c) as claimed, (select status from ${table} where ${idCol} = ${id}::text) as status`,
  )
  if (r.claimed) return { kind: 'claimed', row: fromJson(t.table, r.claimed) }
  if (r.status === null) return { kind: 'not_found' }
  return { kind: r.status === status ? 'busy' : 'not_pending', status: r.status }
}

/**
 * The SET items of a guarded transition that also records the last check and/or frees the
 * caller's lease (only if it still holds it: the right-hand sides read the row before the update).
 */
export function noteSets(change: { checkedAt?: Date; release?: { token: string; lastError: string | null } }): SQL[] {
  const sets: SQL[] = []
  if (change.checkedAt) sets.push(sql`last_checked_at = ${ts(change.checkedAt)}`)
  const rel = change.release
  if (rel) {
    const mine = sql`lease_token = ${rel.token}::text`
    sets.push(
      sql`lease_token = case when ${mine} then null else lease_token end`,
      sql`lease_until = case when ${mine} then null else lease_until end`,
      sql`last_error = case when ${mine} then ${rel.lastError?.slice(0, 500) ?? null}::text else last_error end`,
    )
  } else if (change.checkedAt) sets.push(sql`last_error = null`)
  return sets
}

/** A due query's optional throttle: rows never checked, or last checked before `checkedBefore`. */
export const notCheckedSince = (lastCheckedAt: PgColumn, checkedBefore: Date | undefined): SQL | undefined =>
  checkedBefore === undefined ? undefined : or(isNull(lastCheckedAt), lt(lastCheckedAt, checkedBefore))
