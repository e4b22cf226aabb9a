/**
 * An embedded Postgres for machines without one: PGlite (Postgres compiled to WASM) served over
 * the Postgres wire protocol by pglite-socket, so postgres.js, drizzle's migrator and wrangler's
 * Hyperdrive local mode talk to it exactly as to a real server.
 */
import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

export interface EmbeddedPostgres {
  /** postgres:// URL with a password (Hyperdrive's local mode requires one; PGlite ignores it). */
  readonly url: string
  close(): Promise<void>
}

export async function startEmbeddedPostgres(opts: { dataDir?: string; port?: number } = {}): Promise<EmbeddedPostgres> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true })
  const db = await PGlite.create(opts.dataDir ?? 'memory://')
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: opts.port ?? 5433, maxConnections: 50 })
  await server.start()
  const port = opts.port ?? 5433
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    close: async () => {
      await server.stop()
      await db.close()
    },
  }
}
