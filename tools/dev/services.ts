/**
 * What `npm run dev` runs on: the services given by DATABASE_URL and REDIS_URL, else the ones that
 * answer on the usual local addresses, else embedded ones (a real PostgreSQL from npm, an
 * in-process Redis engine). The probed addresses can be moved (DEV_POSTGRES_PROBE,
 * DEV_REDIS_PROBE, host:port) so a test can make them unreachable.
 */
import { Socket } from 'node:net'
import postgres from 'postgres'

export interface DevServices {
  /** A Postgres to use; absent: embed one. */
  databaseUrl?: string
  /** A Redis to use; absent: the Upstash dev server runs on the embedded engine. */
  redisUrl?: string
  /** One line per choice, for the banner. */
  notes: string[]
}

type Env = Record<string, string | undefined>

export async function chooseDevServices(env: Env = process.env): Promise<DevServices> {
  const notes: string[] = []
  let databaseUrl = env['DATABASE_URL']
  if (!databaseUrl) {
    const probe = env['DEV_POSTGRES_PROBE'] ?? '127.0.0.1:5432'
    if (await postgresAnswers(`postgres://postgres:postgres@${probe}/postgres`))
      databaseUrl = `postgres://postgres:postgres@${probe}/edge_payments`
    else notes.push(`No PostgreSQL answered on ${probe} (user postgres) and DATABASE_URL is unset: embedding PostgreSQL.`)
  }
  let redisUrl = env['REDIS_URL']
  if (!redisUrl) {
    const probe = env['DEV_REDIS_PROBE'] ?? '127.0.0.1:6379'
    if (await redisAnswers(probe)) redisUrl = `redis://${probe}`
    else notes.push(`No Redis answered on ${probe} and REDIS_URL is unset: embedding an in-process Redis engine.`)
  }
  return { ...(databaseUrl && { databaseUrl }), ...(redisUrl && { redisUrl }), notes }
}

async function postgresAnswers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} })
  try {
    await sql`select 1`
    return true
  } catch {
    return false
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {})
  }
}

/** A Redis answers PING with +PONG (or -NOAUTH when it wants a password: it is there all the same). */
function redisAnswers(hostPort: string): Promise<boolean> {
  const [host, port] = splitHostPort(hostPort, 6379)
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (answer: boolean) => {
      socket.destroy()
      resolve(answer)
    }
    socket.setTimeout(2000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('close', () => done(false))
    socket.once('data', (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString('utf8'))))
    socket.connect(port, host, () => socket.write('*1\r\n$4\r\nPING\r\n'))
  })
}

function splitHostPort(hostPort: string, defaultPort: number): [string, number] {
  const i = hostPort.lastIndexOf(':')
  return i < 0 ? [hostPort, defaultPort] : [hostPort.slice(0, i), Number(hostPort.slice(i + 1))]
}
