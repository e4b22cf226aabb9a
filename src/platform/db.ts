import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import * as schema from '../db/schema.ts'

export type Db = PostgresJsDatabase<typeof schema>
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export interface DbHandle {
  readonly db: Db
  /** Ends the pool; the Worker calls it after each request (sockets cannot outlive their request). */
  close(): Promise<void>
}

/**
 * postgres.js tuned for Hyperdrive (anchors): prepared statements are cached by Hyperdrive, a small
 * pool per isolate, and no type-fetching round trip on connect.
 */
export function connectDb(url: string, opts: { max?: number } = {}): DbHandle {
  const sql = postgres(url, {
    max: opts.max ?? 5,
    prepare: true,
    fetch_types: false,
    connect_timeout: 10,
    onnotice: () => {},
  })
  return { db: drizzle(sql, { schema }), close: () => sql.end({ timeout: 5 }) }
}
