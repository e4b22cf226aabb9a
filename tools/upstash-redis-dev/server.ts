/**
 * Upstash Redis REST protocol in front of a real Redis, so the unmodified @upstash/redis client
 * (and therefore the app's Redis adapters) run locally and in tests against the real thing; or,
 * with `engine: 'embedded'`, in front of an in-process engine (embedded-engine.ts) for `npm run dev`
 * on a machine without Redis.
 *   POST /             ["SET","k","v"]          → {"result": ...} | 400 {"error": ...}
 *   GET|POST /set/k/v  path form (POST body is the last argument)
 *   POST /pipeline     [[...],[...]]            → [{"result"}|{"error"}, ...] (not atomic)
 *   POST /multi-exec   [[...],[...]]            → same shape, atomic (MULTI/EXEC)
 * Auth: `Authorization: Bearer <token>` (or `?_token=`). `Upstash-Encoding: base64` encodes strings.
 * Outage simulation for chaos tests (no auth, like the sandboxes' control APIs):
 *   POST   /__control/faults {down: true, mode?: "503" | "reset"}  every REST call answers 503 (or
 *                                                                  has its connection dropped)
 *   DELETE /__control/faults                                        back to normal
 */
import { timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import { dropConnection, type NodeEnv, type RunningServer, rawBody, serveApp } from '../shared/http-kit.ts'
import { toArgs, toResult } from './encoding.ts'
import { CommandError, connectRedis, type Outcome, type RedisEngine } from './engine.ts'
import { startEmbeddedRedis } from './embedded-engine.ts'

export interface UpstashRedisDevOptions {
  port?: number
  token?: string
  redisUrl?: string
  /** 'embedded': the in-process engine instead of the Redis at redisUrl. */
  engine?: 'redis' | 'embedded'
}

export interface UpstashRedisDev extends RunningServer {
  readonly token: string
  readonly engine: 'redis' | 'embedded'
}

// Commands that hold a connection or stream: the REST protocol cannot carry them.
const REFUSED = new Set([
  'SUBSCRIBE',
  'PSUBSCRIBE',
  'SSUBSCRIBE',
  'MONITOR',
  'BLPOP',
  'BRPOP',
  'BLMOVE',
  'BRPOPLPUSH',
  'BZPOPMIN',
  'BZPOPMAX',
  'BLMPOP',
  'BZMPOP',
  'XREAD',
  'XREADGROUP',
  'MULTI',
  'EXEC',
  'DISCARD',
  'WATCH',
  'SELECT',
  'QUIT',
])

export async function startUpstashRedisDev(opts: UpstashRedisDevOptions = {}): Promise<UpstashRedisDev> {
  const token = opts.token ?? process.env['UPSTASH_REDIS_REST_TOKEN'] ?? 'dev-token'
  const redisUrl = opts.redisUrl ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'
  const engine: RedisEngine = opts.engine === 'embedded' ? startEmbeddedRedis() : await connectRedis(redisUrl)
  let syncToken = 0
  let outage: 'none' | '503' | 'reset' = 'none'

  const app = new Hono<NodeEnv>()
    .get('/__health', (c) => c.json({ ok: true, backend: engine.kind }))
    .delete('/__control/faults', (c) => {
      outage = 'none'
      return c.json({ down: false })
    })
    .post('/__control/faults', async (c) => {
      const plan = parseJson(await rawBody(c)) as { down?: unknown; mode?: unknown } | null
      if (!plan || typeof plan.down !== 'boolean' || (plan.mode !== undefined && plan.mode !== '503' && plan.mode !== 'reset')) {
        return c.json({ error: 'expected {down: boolean, mode?: "503" | "reset"}' }, 400)
      }
      outage = plan.down ? ((plan.mode as '503' | 'reset' | undefined) ?? '503') : 'none'
      return c.json({ down: plan.down, mode: outage })
    })
    .all('/__control/faults', (c) => c.json({ error: 'POST or DELETE' }, 405))
    .all('*', async (c) => {
      if (outage === 'reset') return dropConnection(c)
      if (outage === '503') return c.json({ error: 'Service Unavailable (injected outage)' }, 503)
      const url = new URL(c.req.url)
      if (!authorized(c.req.header('authorization'), url, token)) return c.json({ error: 'Unauthorized' }, 401)
      const base64 = (c.req.header('upstash-encoding') ?? '').toLowerCase() === 'base64'
      c.header('upstash-sync-token', String(++syncToken))
      try {
        const [status, reply] = await run(c.req.method, url.pathname, await rawBody(c), base64)
        return c.json(reply, status)
      } catch (e) {
        if (e instanceof CommandError) return c.json({ error: e.message }, 400)
        return c.json({ error: `ERR dev server: ${(e as Error).message}` }, 500)
      }
    })
  const server = await serveApp(opts.port ?? 0, app)

  /** Runs the REST call; answers [status, body]. */
  async function run(method: string, path: string, body: Buffer, base64: boolean): Promise<[200 | 400, unknown]> {
    if (path === '/pipeline' || path === '/multi-exec') {
      const commands = parseJson(body)
      if (!Array.isArray(commands) || commands.length === 0) return [400, { error: 'ERR expected an array of commands' }]
      const args = commands.map(toArgs)
      if (args.some((a) => a === null)) return [400, { error: 'ERR each command must be an array of strings or numbers' }]
      const list = args as string[][]
      const refused = list.find((a) => REFUSED.has(a[0]!.toUpperCase()))
      if (refused) return [400, { error: `ERR command not supported over REST: ${refused[0]}` }]
      const outcomes = path === '/pipeline' ? engine.pipeline(list) : engine.transaction(list)
      return [200, (await outcomes).map((o) => entry(o, base64))]
    }
    let args: string[] | null
    if (path === '/' || path === '') {
      args = toArgs(parseJson(body))
    } else {
      args = path.slice(1).split('/').map(decodeURIComponent)
      if (method === 'POST' && body.length > 0) args.push(body.toString('utf8'))
    }
    if (!args) return [400, { error: 'ERR expected a command as a JSON array' }]
    if (REFUSED.has(args[0]!.toUpperCase())) return [400, { error: `ERR command not supported over REST: ${args[0]}` }]
    return [200, { result: toResult(await engine.command(args), base64) }]
  }

  return {
    ...server,
    token,
    engine: engine.kind,
    close: async () => {
      await engine.close()
      await server.close()
    },
  }
}

function entry(o: Outcome, base64: boolean) {
  return 'error' in o ? o : { result: toResult(o.result, base64) }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    return null
  }
}

function authorized(header = '', url: URL, token: string): boolean {
  const given = header.startsWith('Bearer ') ? header.slice(7) : (url.searchParams.get('_token') ?? '')
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}
