/**
 * The SQL baseline of bench:edge: the hot statements bare, from Node with postgres.js through the
 * same Postgres latency proxy at the same added RTT, with a pool as large as the Deno entry's (10)
 * and the same requests in flight. They run in a database of their own on the same server (same
 * migrations), so their rows never reach the service's reconciliation report. What the database and the distance alone cost; the service's
 * figures beside them show what the service adds.
 */
import postgres from 'postgres'
import { recreateDatabase, runMigrations } from '../../tools/db/migrate.ts'
import { loadFor, type RunStats } from '../lib.ts'

/** The Deno entry's pool size (src/deno.ts). */
export const DENO_POOL = 10

interface Statement {
  /** The endpoint it stands for. */
  endpoint: string
  sql: string
  task: (sql: postgres.Sql, i: number) => Promise<unknown>
}

export interface BaselineRow {
  endpoint: string
  sql: string
  inFlight: number
  stats: RunStats
}

/** Unused gifts the redemption statements use up (inserted once; one cursor over the whole run). */
const BASELINE_GIFTS = 60_000
let giftCursor = 0

function statements(run: string): Statement[] {
  const until = () => new Date(Date.now() + 15 * 60_000).toISOString()
  return [
    { endpoint: 'GET /health', sql: 'select 1', task: (sql) => sql`select 1` },
    {
      endpoint: 'POST /api/v1/auth/login',
      sql: 'the user by email (1 statement)',
      task: (sql) => sql`select id, email, password_hash from users where email = ${'nobody@example.test'}`,
    },
    {
      endpoint: 'POST /api/gifts/use',
      sql: 'gift + supplier read, then guarded update … where gift_status = 0 (2 statements)',
      task: async (sql) => {
        const id = `EDGEGIFT-${giftCursor++ % BASELINE_GIFTS}`
        await sql`select g.gift_id, g.gift_status, g.gift_valid_from, g.gift_valid_until, s.supplier_code
          from gift_codes g left join suppliers s on s.supplier_invoice_no = 'INV-TOKYO-001' where g.gift_id = ${id}`
        await sql`update gift_codes set gift_status = 1, gift_used_datetime = now() where gift_id = ${id} and gift_status = 0 returning gift_id`
      },
    },
    {
      endpoint: 'POST /api/v1/orders',
      sql: 'inventory_reserve over 8 variants (1 statement)',
      task: (sql, i) =>
        sql`select reserved from inventory_reserve(${`ord_EDGE${run}${i}`}, ${`{var_EDGEBASE${i % 8}}`}::text[], '{1}'::integer[], ${until()}::timestamptz, now())`,
    },
    {
      endpoint: 'POST /webhooks/paystack',
      sql: 'the webhook claim: insert into webhook_events … on conflict do nothing (1 statement)',
      task: (sql, i) =>
        sql`insert into webhook_events (provider, event_key, event_type, payload, status, received_at)
          values ('paystack', ${`charge.success:EDGE${run}${i}`}, 'charge.success', '{}'::jsonb, 'processing', now()) on conflict do nothing`,
    },
  ]
}

/** A migrated database of its own and the rows the statements need; once per run, straight to Postgres. */
export async function prepareBaseline(databaseUrl: string): Promise<void> {
  await recreateDatabase(databaseUrl)
  await runMigrations(databaseUrl)
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, fetch_types: false })
  try {
    await sql`insert into products (id, name) values ('prd_EDGEBASE', 'edge baseline') on conflict do nothing`
    await sql`insert into product_variants (id, product_id, sku, name, price_amount, currency, stock)
      select 'var_EDGEBASE' || g, 'prd_EDGEBASE', 'EDGE-BASE-' || g, 'b', 100, 'NGN', 100000000 from generate_series(0, 7) g on conflict do nothing`
    await sql`insert into gift_codes (gift_id, gift_amount, gift_currency) select 'EDGEGIFT-' || g, 500, 'JPY' from generate_series(0, ${BASELINE_GIFTS - 1}) g on conflict do nothing`
  } finally {
    await sql.end()
  }
}

/** Each statement for `seconds` at each in-flight count, through the proxy (already set to the RTT). */
export async function runBaseline(
  proxiedUrl: string,
  inFlight: number[],
  seconds: number,
  log: (l: string) => void,
): Promise<BaselineRow[]> {
  const run = Date.now().toString(36).toUpperCase()
  const sql = postgres(proxiedUrl, { max: DENO_POOL, onnotice: () => {}, fetch_types: false })
  const rows: BaselineRow[] = []
  try {
    for (const n of inFlight) {
      for (const st of statements(`${run}N${n}`)) {
        const stats = await loadFor(seconds * 1000, n, async (i) => {
          await st.task(sql, i)
          return 'ok'
        })
        rows.push({ endpoint: st.endpoint, sql: st.sql, inFlight: n, stats })
        log(`    SQL ${st.endpoint} @${n}: ${stats.perSecond}/s p50 ${stats.p50Ms} p99 ${stats.p99Ms}`)
      }
    }
  } finally {
    await sql.end()
  }
  return rows
}
