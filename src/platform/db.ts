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
 * postgres.js tuned for Hyperdrive (anchors): prepared statements are cached by Hyperdrive, a small
 * pool per isolate, and no type-fetching round trip on connect. Drizzle gets no `schema`: nothing
 * uses its relational query API, and extracting it costs ~0.3 ms of CPU on every request (a Worker
 * opens its client per request).
 */
export function connectDb(url: string, opts: { max?: number } = {}): DbHandle {
  const sql = postgres(url, {
    max: opts.max ?? 5,
    prepare: true,
    fetch_types: false,
    connect_timeout: 10,
    onnotice: () => {},
  })
  return { db: drizzle(sql), close: () => sql.end({ timeout: 5 }) }
}
