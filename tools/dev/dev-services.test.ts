import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { arch, platform, tmpdir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { startEmbeddedPostgres } from './embedded-postgres.ts'
import { chooseDevServices } from './services.ts'
import { freePort } from './stack.ts'

/** What `npm run dev` decides to embed, and the embedded PostgreSQL itself (real binaries from npm). */
const scratch = mkdtempSync(join(tmpdir(), 'dev-services-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('chooseDevServices', () => {
  it('embeds both when nothing answers on the probed addresses', async () => {
    const closed = `127.0.0.1:${await freePort()}`
    const chosen = await chooseDevServices({ DEV_POSTGRES_PROBE: closed, DEV_REDIS_PROBE: closed })
    expect(chosen.databaseUrl).toBeUndefined()
    expect(chosen.redisUrl).toBeUndefined()
    expect(chosen.notes.join('\n')).toMatch(/No PostgreSQL answered on 127\.0\.0\.1:\d+.*embedding PostgreSQL[\s\S]*No Redis answered/)
  })

  it('uses the local services that answer, and the URLs it is given without probing', async () => {
    const local = await chooseDevServices({})
    expect(local).toEqual({
      databaseUrl: 'postgres://postgres:postgres@127.0.0.1:5432/edge_payments',
      redisUrl: 'redis://127.0.0.1:6379',
      notes: [],
    })
    const closed = `127.0.0.1:${await freePort()}`
    const given = await chooseDevServices({
      DATABASE_URL: 'postgres://u:p@db:5432/x',
      REDIS_URL: 'redis://r:6379',
      DEV_POSTGRES_PROBE: closed,
      DEV_REDIS_PROBE: closed,
    })
    expect(given).toEqual({ databaseUrl: 'postgres://u:p@db:5432/x', redisUrl: 'redis://r:6379', notes: [] })
  })

  it('does not take another server on the Redis port for a Redis', async () => {
    // Postgres's port answers TCP, but not PING.
    expect((await chooseDevServices({ DATABASE_URL: 'x', DEV_REDIS_PROBE: '127.0.0.1:5432' })).redisUrl).toBeUndefined()
  })
})

describe('embedded PostgreSQL', () => {
  it('initialises once, keeps its data across restarts, and says why it cannot start', async () => {
    const dataDir = join(scratch, 'pg')
    const port = await freePort()
    const first = await startEmbeddedPostgres({ dataDir, port })
    try {
      expect(first.url).toBe(`postgres://postgres:postgres@127.0.0.1:${port}/edge_payments`)
      const sql = postgres(first.url.replace(/edge_payments$/, 'postgres'), { max: 1, onnotice: () => {} })
      expect((await sql`select current_setting('server_version_num')::int as v`)[0]!.v).toBeGreaterThanOrEqual(180000)
      await sql`create table kept (x int)`
      await sql.end()
      // A second server on the same data directory (and port) is refused, with the reason.
      await expect(startEmbeddedPostgres({ dataDir, port })).rejects.toThrow(
        /embedded PostgreSQL failed to start on port \d+[\s\S]*(lock file|already)/,
      )
    } finally {
      await first.close()
    }
    // PostgreSQL refuses root: as root the data directory belongs to the user it runs as.
    if (userInfo().uid === 0) expect(statSync(dataDir).uid).not.toBe(0)
    const second = await startEmbeddedPostgres({ dataDir, port })
    try {
      const sql = postgres(second.url.replace(/edge_payments$/, 'postgres'), { max: 1 })
      expect((await sql`select to_regclass('kept')::text as t`)[0]!.t).toBe('kept')
      await sql.end()
    } finally {
      await second.close()
    }
  })
})

describe.runIf(userInfo().uid === 0)('embedded PostgreSQL as root', () => {
  it('runs binaries from a checkout its server user cannot reach (a private directory) through a copy', async () => {
    const installed = dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${platform()}-${arch()}`))
    const hidden = mkdtempSync(join(scratch, 'private-')) // 0700, like /root
    cpSync(join(installed, '..', 'native'), join(hidden, 'native'), { recursive: true, verbatimSymlinks: true })
    const binaries = { initdb: join(hidden, 'native', 'bin', 'initdb'), postgres: join(hidden, 'native', 'bin', 'postgres') }
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('embedded-postgres-')).length
    const pg = await startEmbeddedPostgres({ dataDir: join(scratch, 'pg-copy'), port: await freePort(), binaries })
    try {
      expect(readdirSync(tmpdir()).filter((f) => f.startsWith('embedded-postgres-')).length).toBe(before + 1)
      const sql = postgres(pg.url.replace(/edge_payments$/, 'postgres'), { max: 1 })
      expect((await sql`select 1 as one`)[0]!.one).toBe(1)
      await sql.end()
    } finally {
      await pg.close()
    }
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('embedded-postgres-')).length).toBe(before)
  })
})
