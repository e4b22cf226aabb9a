/**
 * The small HTTP kit every local dev server and gateway sandbox is built on: a node:http server
 * bound to loopback, raw-body reading (signatures are computed over raw bytes), JSON replies, and
 * one fault-injection contract shared by all sandboxes so chaos tests drive them the same way.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface RunningServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:8091 */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void> | void

/** Starts a server on 127.0.0.1 (port 0 picks a free one). Open sockets are destroyed on close. */
export async function listen(port: number, handler: Handler): Promise<RunningServer> {
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => handler(req, res, body))
      .catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: String(err) })
        else res.destroy()
      })
  })
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

export function readBody(req: IncomingMessage, limitBytes = 10 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > limitBytes) {
        reject(new Error('body too large'))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(text)
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
   * Applies the next fault for `operation` to the response. Returns true when the fault answered
   * (or killed) the request, so the caller must not answer again; false to carry on normally
   * (after any `slow` delay).
   */
  async apply(operation: string, res: ServerResponse): Promise<boolean> {
    const f = this.take(operation)
    if (!f) return false
    switch (f.kind) {
      case 'slow':
        await sleep(f.delayMs)
        return false
      case 'timeout':
        await sleep(f.delayMs)
        res.destroy()
        return true
      case 'reset':
        res.socket?.destroy()
        return true
      case 'http_500':
        sendJson(res, 500, this.errorBody(500))
        return true
      case 'http_429':
        sendJson(res, 429, this.errorBody(429), { 'retry-after': '1' })
        return true
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"status": tru')
        return true
    }
  }

  /** Handles the /__control/faults routes; returns true when it answered. */
  handleControl(req: IncomingMessage, res: ServerResponse, body: Buffer): boolean {
    const path = (req.url ?? '').split('?')[0]
    if (path !== '/__control/faults') return false
    if (req.method === 'DELETE') {
      this.clear()
      sendJson(res, 200, { ok: true })
      return true
    }
    if (req.method === 'POST') {
      try {
        this.add(JSON.parse(body.toString('utf8')) as Fault)
        sendJson(res, 200, { ok: true })
      } catch (err) {
        sendJson(res, 400, { error: String(err) })
      }
      return true
    }
    sendJson(res, 405, { error: 'method not allowed' })
    return true
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
