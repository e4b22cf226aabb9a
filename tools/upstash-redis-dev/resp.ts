/**
 * A minimal RESP2 client over node:net: enough to forward Upstash REST commands to a real Redis.
 * Replies come back in order, so each connection keeps a FIFO of waiting callers.
 */
import { connect, type Socket } from 'node:net'

export type Reply =
  | { kind: 'simple'; value: string }
  | { kind: 'error'; message: string }
  | { kind: 'int'; value: number }
  | { kind: 'bulk'; value: Buffer | null }
  | { kind: 'array'; value: Reply[] | null }

export function encodeCommand(args: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
  for (const a of args) {
    const b = Buffer.from(a, 'utf8')
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'))
  }
  return Buffer.concat(parts)
}

/** Parses one reply at `offset`; returns null when the buffer does not hold a whole reply yet. */
export function parseReply(buf: Buffer, offset = 0): { reply: Reply; next: number } | null {
  const lineEnd = buf.indexOf('\r\n', offset)
  if (lineEnd < 0) return null
  const type = String.fromCharCode(buf[offset]!)
  const line = buf.toString('utf8', offset + 1, lineEnd)
  const after = lineEnd + 2
  switch (type) {
    case '+':
      return { reply: { kind: 'simple', value: line }, next: after }
    case '-':
      return { reply: { kind: 'error', message: line }, next: after }
    case ':':
      return { reply: { kind: 'int', value: Number(line) }, next: after }
    case '$': {
      const len = Number(line)
      if (len < 0) return { reply: { kind: 'bulk', value: null }, next: after }
      if (buf.length < after + len + 2) return null
      return { reply: { kind: 'bulk', value: buf.subarray(after, after + len) }, next: after + len + 2 }
    }
    case '*': {
      const n = Number(line)
      if (n < 0) return { reply: { kind: 'array', value: null }, next: after }
      const items: Reply[] = []
      let pos = after
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, pos)
        if (!r) return null
        items.push(r.reply)
        pos = r.next
      }
      return { reply: { kind: 'array', value: items }, next: pos }
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`)
  }
}

export class RespConnection {
  private buffer: Buffer = Buffer.alloc(0)
  private readonly waiting: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = []
  private closedError: Error | null = null

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    const fail = (e: Error) => {
      this.closedError = e
      for (const w of this.waiting.splice(0)) w.reject(e)
    }
    socket.on('error', fail)
    socket.on('close', () => fail(new Error('redis connection closed')))
  }

  static open(redisUrl: string, timeoutMs = 3000): Promise<RespConnection> {
    const u = new URL(redisUrl)
    return new Promise((resolve, reject) => {
      const socket = connect({ host: u.hostname, port: Number(u.port || 6379) })
      const timer = setTimeout(() => socket.destroy(new Error(`redis connect timeout ${redisUrl}`)), timeoutMs)
      socket.once('error', (e) => {
        clearTimeout(timer)
        reject(e)
      })
      socket.once('connect', async () => {
        clearTimeout(timer)
        const conn = new RespConnection(socket)
        try {
          if (u.password) await conn.send(u.username ? ['AUTH', u.username, u.password] : ['AUTH', u.password])
          const db = u.pathname.slice(1)
          if (db) await conn.send(['SELECT', db])
          resolve(conn)
        } catch (e) {
          reject(e as Error)
        }
      })
    })
  }

  get healthy(): boolean {
    return this.closedError === null
  }

  /** Sends several commands in one write (pipelining) and resolves with their replies in order. */
  sendMany(commands: readonly (readonly string[])[]): Promise<Reply[]> {
    if (this.closedError) return Promise.reject(this.closedError)
    const replies = commands.map(
      () => new Promise<Reply>((resolve, reject) => this.waiting.push({ resolve, reject })),
    )
    this.socket.write(Buffer.concat(commands.map(encodeCommand)))
    return Promise.all(replies)
  }

  async send(command: readonly string[]): Promise<Reply> {
    return (await this.sendMany([command]))[0]!
  }

  close(): void {
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk
    let offset = 0
    for (;;) {
      const parsed = parseReply(this.buffer, offset)
      if (!parsed) break
      offset = parsed.next
      this.waiting.shift()?.resolve(parsed.reply)
    }
    this.buffer = this.buffer.subarray(offset)
  }
}

/** Exclusive connections handed out per HTTP request, so a MULTI…EXEC is never interleaved. */
export class RespPool {
  private readonly idle: RespConnection[] = []

  constructor(private readonly redisUrl: string) {}

  async use<T>(fn: (c: RespConnection) => Promise<T>): Promise<T> {
    let conn = this.idle.pop()
    while (conn && !conn.healthy) conn = this.idle.pop()
    conn ??= await RespConnection.open(this.redisUrl)
    try {
      return await fn(conn)
    } finally {
      if (conn.healthy && this.idle.length < 32) this.idle.push(conn)
      else conn.close()
    }
  }

  close(): void {
    for (const c of this.idle.splice(0)) c.close()
  }
}
