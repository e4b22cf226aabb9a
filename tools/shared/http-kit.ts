/**
 * The small HTTP kit every local dev server and gateway sandbox is built on: a Hono app served by
 * @hono/node-server on loopback (`serveApp`), raw-body reading (signatures are computed over raw
 * bytes), a JSON control-API base, and one fault-injection contract shared by all sandboxes so
 * chaos tests drive them the same way.
 */
import type { Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createAdaptorServer, type HttpBindings } from '@hono/node-server'
import { type Context, Hono } from 'hono'

export interface RunningServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:8091 */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

/** Hono env of the served apps: `c.env.incoming.socket` is the Node socket (for `reset` faults). */
export type NodeEnv = { Bindings: HttpBindings }

/**
 * Serves a Hono app on 127.0.0.1 (port 0 picks a free one). Open sockets are destroyed on close.
 * An uncaught error answers 500 {error}.
 */
export async function serveApp(port: number, app: Hono<NodeEnv>): Promise<RunningServer> {
  app.onError((err, c) => c.json({ error: String(err) }, 500))
  const server = createAdaptorServer({ fetch: app.fetch, hostname: '127.0.0.1', port }) as Server
  const sockets = new Set<Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const actual = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** The request body as raw bytes (signatures are computed over them). */
export async function rawBody(c: Context): Promise<Buffer> {
  return Buffer.from(await c.req.arrayBuffer())
}

/** The path as sent, not percent-decoded (Hono's `c.req.path` decodes it). */
export function rawPath(c: Context): string {
  const url = c.req.url
  const start = url.indexOf('/', url.indexOf('//') + 2)
  const end = url.indexOf('?', start)
  return url.slice(start, end < 0 ? undefined : end)
}

/** Kills the connection without an answer (a `reset` fault); the returned Response is never written. */
export function dropConnection(c: Context<NodeEnv>): Response {
  c.env.incoming.socket.destroy()
  return new Response(null)
}

/** Hono env of a control API: `c.var.input` is the request's JSON object (`{}` for no body). */
export type ControlEnv = NodeEnv & { Variables: { input: Record<string, unknown> } }

/** A Hono app for a sandbox's /__control routes; a body that is not a JSON object answers 400. */
export function controlApp(): Hono<ControlEnv> {
  return new Hono<ControlEnv>().use('/__control/*', async (c, next) => {
    const input = readJsonObject(await rawBody(c))
    if (input === null) return c.json({ error: 'body must be a JSON object' }, 400)
    c.set('input', input)
    await next()
  })
}

/** Parses a JSON object body; an empty body is `{}`, anything but an object null. */
export function readJsonObject(body: Buffer): Record<string, unknown> | null {
  const text = body.toString('utf8').trim()
  if (text === '') return {}
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null
  } catch {
    return null
  }
}

// ---------------------------------------------------------------------------------------------
// Fault injection: the same contract in every sandbox.
//   POST   /__control/faults  {operation, kind, times?, delayMs?}  queue a fault for an operation
//   DELETE /__control/faults                                       clear all queued faults
// `operation` is the sandbox's own name for an API call (e.g. "initialize", "give_cashback");
// "*" matches every operation. Deliveries a sandbox sends out take theirs through outgoing.ts.
// ---------------------------------------------------------------------------------------------

export type FaultKind = 'timeout' | 'http_500' | 'http_429' | 'slow' | 'reset' | 'malformed'

export interface Fault {
  operation: string
  kind: FaultKind
  /** How many calls the fault applies to (default 1). */
  times?: number
  /** For slow: extra latency before a normal answer; for timeout: how long to hang (default 30 s). */
  delayMs?: number
}

const FAULT_KINDS: readonly FaultKind[] = ['timeout', 'http_500', 'http_429', 'slow', 'reset', 'malformed']

export class FaultPlan {
  private readonly queue: Array<Required<Fault>> = []

  /** @param errorBody the gateway's own error envelope for injected 500 and 429 answers */
  constructor(
    private readonly errorBody: (status: 500 | 429) => unknown = (status) => ({
      status: false,
      message: status === 429 ? 'Injected rate limit' : 'Injected server error',
    }),
  ) {}

  add(fault: Fault): void {
    if (!FAULT_KINDS.includes(fault.kind)) throw new Error(`unknown fault kind ${fault.kind}`)
    this.queue.push({ times: 1, delayMs: fault.kind === 'slow' ? 1500 : 30_000, ...fault })
  }

  clear(): void {
    this.queue.length = 0
  }

  /** Takes the next fault for this operation, consuming one of its `times`. */
  take(operation: string): Required<Fault> | undefined {
    const i = this.queue.findIndex((f) => f.operation === operation || f.operation === '*')
    if (i < 0) return undefined
    const f = this.queue[i]!
    f.times -= 1
    if (f.times <= 0) this.queue.splice(i, 1)
    return f
  }

  /**
   * Applies the next fault for `operation`: the Response the fault answers with (for timeout and
   * reset the socket is destroyed and that Response is never written), or undefined to carry on
   * normally (after any `slow` delay).
   */
  async respond(operation: string, c: Context<NodeEnv>): Promise<Response | undefined> {
    const f = this.take(operation)
    if (!f) return undefined
    switch (f.kind) {
      case 'slow':
        await sleep(f.delayMs)
        return undefined
      case 'timeout':
        await sleep(f.delayMs)
        return dropConnection(c)
      case 'reset':
        return dropConnection(c)
      case 'http_500':
        return c.json(this.errorBody(500), 500)
      case 'http_429':
        return c.json(this.errorBody(429), 429, { 'retry-after': '1' })
      case 'malformed':
        return c.body('{"status": tru', 200, { 'content-type': 'application/json' })
    }
  }

  /** The /__control/faults routes, for `app.route('/', faults.routes())`. */
  routes(): Hono<NodeEnv> {
    return new Hono<NodeEnv>()
      .delete('/__control/faults', (c) => {
        this.clear()
        return c.json({ ok: true })
      })
      .post('/__control/faults', async (c) => {
        try {
          this.add(JSON.parse(await c.req.text()) as Fault)
          return c.json({ ok: true })
        } catch (err) {
          return c.json({ error: String(err) }, 400)
        }
      })
      .all('/__control/faults', (c) => c.json({ error: 'method not allowed' }, 405))
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
