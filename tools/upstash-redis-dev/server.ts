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
import type { IncomingMessage, ServerResponse } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import { listen, sendJson, type RunningServer } from '../shared/http-kit.ts'
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

  const server = await listen(opts.port ?? 0, async (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/__health') return sendJson(res, 200, { ok: true, backend: engine.kind })
    if (url.pathname === '/__control/faults') return control(req, res, body)
    if (outage === 'reset') return void res.socket?.destroy()
    if (outage === '503') return sendJson(res, 503, { error: 'Service Unavailable (injected outage)' })
    if (!authorized(req, url, token)) return sendJson(res, 401, { error: 'Unauthorized' })
    const base64 = (req.headers['upstash-encoding'] ?? '').toString().toLowerCase() === 'base64'
    res.setHeader('upstash-sync-token', String(++syncToken))
    try {
      await route(req, res, url, body, base64)
    } catch (e) {
      sendJson(res, 500, { error: `ERR dev server: ${(e as Error).message}` })
    }
  })

  function control(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    if (req.method === 'DELETE') {
      outage = 'none'
      return sendJson(res, 200, { down: false })
    }
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST or DELETE' })
    const plan = parseJson(body) as { down?: unknown; mode?: unknown } | null
    if (!plan || typeof plan.down !== 'boolean' || (plan.mode !== undefined && plan.mode !== '503' && plan.mode !== 'reset')) {
      return sendJson(res, 400, { error: 'expected {down: boolean, mode?: "503" | "reset"}' })
    }
    outage = plan.down ? ((plan.mode as '503' | 'reset' | undefined) ?? '503') : 'none'
    return sendJson(res, 200, { down: plan.down, mode: outage })
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, base64: boolean) {
    if (url.pathname === '/pipeline' || url.pathname === '/multi-exec') {
      const commands = parseJson(body)
      if (!Array.isArray(commands) || commands.length === 0) return sendJson(res, 400, { error: 'ERR expected an array of commands' })
      const args = commands.map(toArgs)
      if (args.some((a) => a === null)) return sendJson(res, 400, { error: 'ERR each command must be an array of strings or numbers' })
      const list = args as string[][]
      const refused = list.find((a) => REFUSED.has(a[0]!.toUpperCase()))
      if (refused) return sendJson(res, 400, { error: `ERR command not supported over REST: ${refused[0]}` })
      if (url.pathname === '/pipeline')
        return sendJson(
          res,
          200,
          (await engine.pipeline(list)).map((o) => entry(o, base64)),
        )
      try {
        return sendJson(
          res,
          200,
          (await engine.transaction(list)).map((o) => entry(o, base64)),
        )
      } catch (e) {
        if (e instanceof CommandError) return sendJson(res, 400, { error: e.message })
        throw e
      }
    }

    let args: string[] | null
    if (url.pathname === '/' || url.pathname === '') {
      args = toArgs(parseJson(body))
    } else {
      args = url.pathname.slice(1).split('/').map(decodeURIComponent)
      if (req.method === 'POST' && body.length > 0) args.push(body.toString('utf8'))
    }
    if (!args) return sendJson(res, 400, { error: 'ERR expected a command as a JSON array' })
    if (REFUSED.has(args[0]!.toUpperCase())) return sendJson(res, 400, { error: `ERR command not supported over REST: ${args[0]}` })
    try {
      return sendJson(res, 200, { result: toResult(await engine.command(args), base64) })
    } catch (e) {
      if (e instanceof CommandError) return sendJson(res, 400, { error: e.message })
      throw e
    }
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

function authorized(req: IncomingMessage, url: URL, token: string): boolean {
  const header = req.headers.authorization ?? ''
  const given = header.startsWith('Bearer ') ? header.slice(7) : (url.searchParams.get('_token') ?? '')
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}
