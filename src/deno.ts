/**
 * Deno entry: the same Hono app, with a direct Postgres connection string and one long-lived pool.
 * Run: `deno run --allow-net --allow-env --allow-read src/deno.ts` (see README). Serving from a
 * second runtime keeps the core honest: nothing below the entries may depend on Workers.
 */
import { createApp } from './app.ts'
import { buildDeps, createRedis } from './container.ts'
import { type Config, ConfigError, loadConfig } from './platform/config.ts'
import { connectDb } from './platform/db.ts'
import { createLogger } from './platform/logger.ts'
import { InProcessHub, type HubSocket } from './realtime/adapters/in-process-hub.ts'

declare const Deno: {
  env: { toObject(): Record<string, string> }
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number; hostname: string }) => void },
    handler: (req: Request, info: { remoteAddr: { hostname: string } }) => Response | Promise<Response>,
  ): unknown
  exit(code: number): never
  upgradeWebSocket(req: Request, options?: { protocol?: string }): { socket: HubSocket; response: Response }
}

const env = Deno.env.toObject()
let config: Config
try {
  config = loadConfig(env)
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message)
    Deno.exit(1)
  }
  throw e
}
const logger = createLogger(config.LOG_LEVEL, { runtime: 'deno' })
const handle = connectDb(config.DATABASE_URL, { max: 10 })
// One process serves every socket: user events go through the in-process hub.
const hub = new InProcessHub()
const realtime = {
  events: hub,
  sockets: {
    async connect(req: Request, opts: { userId: string; protocol: string | null; lastSeq: number | null }) {
      const { socket, response } = Deno.upgradeWebSocket(req, opts.protocol ? { protocol: opts.protocol } : {})
      hub.attach(socket, { userId: opts.userId, lastSeq: opts.lastSeq })
      return response
    },
  },
}
const deps = buildDeps({ config, db: handle.db, redis: createRedis(config), logger, runtime: { realtime } })
// No keepAlive: in this long-lived process deferred work (c.var.defer) runs detached, failures logged.
const app = createApp(() => ({ deps }))

Deno.serve(
  {
    port: Number(env['PORT'] ?? 8000),
    hostname: env['HOST'] ?? '127.0.0.1',
    onListen: ({ hostname, port }) => logger.info('listening', { url: `http://${hostname}:${port}` }),
  },
  (req, info) => app.fetch(withClientIp(req, info.remoteAddr.hostname)),
)

/**
 * Per-IP limits read CF-Connecting-IP, which Cloudflare sets and clients cannot forge. Without
 * Cloudflare in front, set it from the socket's peer and drop any copy the client sent.
 * (Behind a proxy of your own, replace this with that proxy's trusted header.)
 */
function withClientIp(req: Request, ip: string): Request {
  // A WebSocket upgrade must keep Deno's own request object; no per-IP limit applies there.
  if (req.headers.get('upgrade')?.toLowerCase() === 'websocket') return req
  const headers = new Headers(req.headers)
  headers.set('cf-connecting-ip', ip)
  return new Request(req, { headers })
}
