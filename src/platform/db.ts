import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'

export type Db = PostgresJsDatabase
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export interface DbHandle {
  readonly db: Db
  /** Ends the pool; the Worker calls it after each request (sockets cannot outlive their request). */
  close(): Promise<void>
}

/**
 * drizzle's postgres-js driver passes `prepare: false` to `unsafe()` for every query built without
 * `.prepare(name)` (drizzle-orm #6096), so postgres.js describes each statement before running it:
 * two round trips every time. Forcing `prepare: true` makes a statement seen before on a connection
 * cost one round trip, which pays on long-lived connections (the Deno entry's pool, a Durable
 * Object's connection). A statement new to its connection still costs two, so on the Worker's
 * per-request connection the number of statements is what counts (docs/round-trips.md).
 * Statements without parameters keep the simple protocol: one round trip, cold or warm.
 */
function preparing(sql: postgres.Sql): postgres.Sql {
  return new Proxy(sql, {
    get(target, prop, receiver) {
      if (prop !== 'unsafe') return Reflect.get(target, prop, receiver)
      return (query: string, params?: unknown[], opts?: postgres.UnsafeQueryOptions) =>
        target.unsafe(query, params as postgres.ParameterOrJSON<never>[], params && params.length > 0 ? { ...opts, prepare: true } : opts)
    },
  })
}

/**
 * postgres.js tuned for Hyperdrive (docs/round-trips.md; Cloudflare's
 * https://developers.cloudflare.com/hyperdrive/concepts/how-hyperdrive-works/): prepared
 * statements are cached by Hyperdrive, a small pool per isolate, and no type-fetching round trip
 * on connect. Drizzle gets no `schema`: nothing uses its relational query API, and extracting it
 * costs ~0.3 ms of CPU on every request (a Worker opens its client per request).
 */
export function connectDb(url: string, opts: { max?: number } = {}): DbHandle {
  const sql = postgres(url, {
    max: opts.max ?? 5,
    prepare: true,
    fetch_types: false,
    connect_timeout: 10,
    onnotice: () => {},
  })
  return { db: drizzle(preparing(sql)), close: () => sql.end({ timeout: 5 }) }
}
