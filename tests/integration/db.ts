import { env } from 'cloudflare:test'
import postgres from 'postgres'
import { connectDb, type Db } from '../../src/platform/db.ts'

/**
 * Direct database handles for the integration tests (assertions, fixtures, moving time).
 *
 * Each test file runs in its own isolate, and a postgres.js pool opened there lives until the
 * isolate goes: it is never ended, because `end()` leaves an unhandled rejection from postgres.js's
 * Workers socket polyfill (README, "Notes for contributors"). A helper that opened a pool per call
 * therefore left one idle connection behind per call, and a full run reached the server's
 * `max_connections` ("too many clients"). So a file shares one small pool (one per
 * flavour it uses: drizzle or raw SQL), opened on first use.
 */
const SHARED_MAX = 4

const url = () => (env as unknown as { HYPERDRIVE: Hyperdrive }).HYPERDRIVE.connectionString

let shared: Db | undefined

/** The file's one shared drizzle handle (at most SHARED_MAX connections, never ended). */
export const sharedDb = (): Db => (shared ??= connectDb(url(), { max: SHARED_MAX }).db)

/**
 * A plain postgres.js client. Not drizzle's: drizzle rewrites its client's parsers so timestamps
 * come back as strings, and tests written in raw SQL expect Dates.
 */
const rawClient = (max: number): postgres.Sql => postgres(url(), { max, fetch_types: false, onnotice: () => {} })

let sharedRaw: postgres.Sql | undefined

/** The file's one shared tagged-template client, for tests written in raw SQL (never ended). */
export const sharedSql = (): postgres.Sql => (sharedRaw ??= rawClient(SHARED_MAX))

/**
 * A pool of its own with `max` connections, for a test that needs that many at once on purpose
 * (a race of concurrent reservations, a transaction held while another connection works). Ask
 * once per test: it is not ended either, so its connections stay open until the file's isolate goes.
 */
export const ownDb = (max: number): Db => connectDb(url(), { max }).db

/** ownDb's raw-SQL counterpart (e.g. a connection that holds a lock in a transaction). */
export const ownSql = (max: number): postgres.Sql => rawClient(max)
