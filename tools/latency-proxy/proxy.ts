/**
 * A TCP proxy that puts distance between a client and a server and counts what crosses it.
 * - Delay: every chunk waits `delayMs` before it is passed on, in each direction, so one
 *   client-to-server-and-back turn costs 2 x delayMs of added round-trip time. Order is kept.
 * - Round trips: a client-to-server turn (bytes from the client after the server last spoke).
 *   For Postgres only turns after the connection's first ReadyForQuery count, so connection
 *   start-up and authentication are left out; for HTTP every turn is one call (no pipelining).
 * - Statements (Postgres): Execute and simple Query messages from the client after start-up.
 *   BEGIN and COMMIT are statements too.
 * Encrypted Postgres sessions (SSLRequest answered 'S') cannot be read: they count connections only.
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { GSSENC_REQUEST, MessageFramer, SSL_REQUEST } from './pg-wire.ts'

export type ProxyProtocol = 'postgres' | 'http'

export interface ProxyCounters {
  /** Connections opened through the proxy since the last reset. */
  connections: number
  /** Client-to-server turns (after Postgres start-up). */
  roundTrips: number
  /** Postgres: Execute + Query messages. HTTP: equals roundTrips (one request per turn). */
  statements: number
  /** Connections open now. */
  open: number
  /** Milliseconds since bytes last crossed the proxy in either direction (for "is it quiet"). */
  idleMs: number
}

export interface LatencyProxy {
  readonly port: number
  readonly protocol: ProxyProtocol
  counters(): ProxyCounters
  reset(): void
  setDelay(ms: number): void
  delay(): number
  close(): Promise<void>
}

export interface LatencyProxyOptions {
  target: { host: string; port: number }
  protocol: ProxyProtocol
  /** One-way delay added to every chunk, in milliseconds (RTT added = 2 x delayMs). */
  delayMs?: number
  /** 0 (default) picks a free port. */
  port?: number
}

/** Passes chunks on after a fixed delay, in arrival order, even when the delay changes meanwhile. */
class DelayedPipe {
  private readonly queue: { chunk: Buffer; due: number }[] = []
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly dest: Socket,
    private readonly delayMs: () => number,
  ) {}

  write(chunk: Buffer): void {
    const last = this.queue.at(-1)?.due ?? 0
    const due = Math.max(Date.now() + this.delayMs(), last)
    if (due <= Date.now() && this.queue.length === 0) return void this.dest.write(chunk)
    this.queue.push({ chunk, due })
    this.schedule()
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return
    this.timer = setTimeout(
      () => {
        this.timer = null
        while (this.queue.length > 0 && this.queue[0]!.due <= Date.now()) {
          if (!this.dest.destroyed) this.dest.write(this.queue.shift()!.chunk)
          else this.queue.shift()
        }
        this.schedule()
      },
      Math.max(0, this.queue[0]!.due - Date.now()),
    )
  }

  /** Ends the destination once everything queued has been written. */
  end(): void {
    const finish = () => (this.queue.length === 0 ? this.dest.end() : setTimeout(finish, 1))
    finish()
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer)
    this.queue.length = 0
    this.dest.destroy()
  }
}

export async function startLatencyProxy(opts: LatencyProxyOptions): Promise<LatencyProxy> {
  let delayMs = opts.delayMs ?? 0
  const zero = () => ({ connections: 0, roundTrips: 0, statements: 0 })
  let counts = zero()
  let lastActivity = Date.now()
  const sockets = new Set<Socket>()
  let open = 0

  const server: Server = createServer((client) => {
    counts.connections++
    open++
    client.once('close', () => open--)
    const upstream = connect(opts.target.port, opts.target.host)
    for (const s of [client, upstream]) {
      s.setNoDelay(true)
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
    }
    const toServer = new DelayedPipe(upstream, () => delayMs)
    const toClient = new DelayedPipe(client, () => delayMs)
    const watch = opts.protocol === 'postgres' ? postgresWatcher(() => counts) : httpWatcher(() => counts)

    client.on('data', (chunk: Buffer) => {
      lastActivity = Date.now()
      watch.fromClient(chunk)
      toServer.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      lastActivity = Date.now()
      watch.fromServer(chunk)
      toClient.write(chunk)
    })
    client.on('end', () => toServer.end())
    upstream.on('end', () => toClient.end())
    client.on('error', () => toServer.destroy())
    upstream.on('error', () => toClient.destroy())
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    protocol: opts.protocol,
    counters: () => ({ ...counts, open, idleMs: Date.now() - lastActivity }),
    reset: () => {
      counts = zero()
    },
    setDelay: (ms) => {
      delayMs = ms
    },
    delay: () => delayMs,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

interface Watcher {
  fromClient(chunk: Buffer): void
  fromServer(chunk: Buffer): void
}

type Counts = { connections: number; roundTrips: number; statements: number }

/** Counts turns once the server has said ReadyForQuery, and Execute/Query messages. */
function postgresWatcher(counts: () => Counts): Watcher {
  const client = new MessageFramer(true)
  const server = new MessageFramer(false)
  let ready = false
  let opaque = false
  let sslAnswerPending = false
  let serverSpokeLast = true
  return {
    fromClient(chunk) {
      if (ready && !opaque && serverSpokeLast) counts().roundTrips++
      serverSpokeLast = false
      if (opaque) return
      client.push(chunk, (m) => {
        if (m.kind === 'startup' && (m.code === SSL_REQUEST || m.code === GSSENC_REQUEST)) sslAnswerPending = true
        if (ready && m.kind === 'typed' && (m.type === 'E' || m.type === 'Q')) counts().statements++
      })
    },
    fromServer(chunk) {
      serverSpokeLast = true
      if (opaque) return
      let rest = chunk
      if (sslAnswerPending && rest.length > 0) {
        // The answer to SSLRequest/GSSENCRequest is one untyped byte: 'N' means go on in clear.
        sslAnswerPending = false
        if (rest[0] !== 0x4e) return void (opaque = true)
        client.expectUntyped()
        rest = rest.subarray(1)
      }
      server.push(rest, (m) => {
        if (m.kind === 'typed' && m.type === 'Z') ready = true
      })
    },
  }
}

/** One HTTP/1.1 request per client turn (clients here do not pipeline). */
function httpWatcher(counts: () => Counts): Watcher {
  let serverSpokeLast = true
  return {
    fromClient() {
      if (serverSpokeLast) {
        counts().roundTrips++
        counts().statements++
      }
      serverSpokeLast = false
    },
    fromServer() {
      serverSpokeLast = true
    },
  }
}
