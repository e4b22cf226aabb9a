/**
 * What the Upstash REST dev server runs commands on: the real Redis (through ioredis, the usual
 * Node client: one connection, pipelined, reconnecting) or the embedded in-process engine
 * (embedded-engine.ts) for machines without a Redis. Values come back as ioredis gives them with
 * `callBuffer`: Buffers for strings, numbers, nulls and nested arrays; encoding.ts turns them
 * into Upstash's JSON.
 */
// The default import: the only form every loader (Node, vitest's global setup) resolves for this CommonJS package.
import IORedis from 'ioredis'

/** A Redis error reply (WRONGTYPE, ERR …): the REST protocol answers it as 400 {error}. */
export class CommandError extends Error {}

export type Outcome = { result: unknown } | { error: string }

export interface RedisEngine {
  readonly kind: 'redis' | 'embedded'
  /** One command; rejects with a CommandError for a Redis error reply. */
  command(args: readonly string[]): Promise<unknown>
  /** Several commands, not atomic, one outcome each. */
  pipeline(commands: readonly (readonly string[])[]): Promise<Outcome[]>
  /** MULTI/EXEC: rejects with a CommandError (EXECABORT) when a command is refused before running. */
  transaction(commands: readonly (readonly string[])[]): Promise<Outcome[]>
  close(): Promise<void>
}

/** A Redis error reply (ioredis's ReplyError) as a CommandError; anything else (connection lost) as it is. */
function asCommandError(e: unknown): unknown {
  return e instanceof Error && e.name === 'ReplyError' ? new CommandError(e.message) : e
}

/** ioredis (and so ioredis-mock) turns HGETALL into an object; Redis and Upstash answer a flat array. */
export function asRedisReply(command: string, value: unknown): unknown {
  if (command.toLowerCase() !== 'hgetall' || !value || Array.isArray(value) || typeof value !== 'object') return value
  return Object.entries(value).flatMap(([field, v]) => [Buffer.from(field), v])
}

/** Connects (or fails now, not on the first request) to the Redis at `url`. */
export async function connectRedis(url: string): Promise<RedisEngine> {
  let lastError: Error | undefined
  const client = new IORedis(url, {
    lazyConnect: true,
    enableReadyCheck: false,
    connectTimeout: 3000,
    // A request during an outage fails after one retry instead of waiting for Redis forever.
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  })
  client.on('error', (e: Error) => {
    lastError = e
  })
  try {
    await client.connect()
    await client.ping()
  } catch (e) {
    client.disconnect()
    throw new Error(`cannot reach Redis at ${url}: ${lastError?.message ?? (e as Error).message}`)
  }
  const outcomes = (commands: readonly (readonly string[])[], replies: [Error | null, unknown][] | null): Outcome[] =>
    (replies ?? []).map(([err, result], i) => (err ? { error: err.message } : { result: asRedisReply(commands[i]![0]!, result) }))
  return {
    kind: 'redis',
    command: async ([name, ...args]) => {
      try {
        return asRedisReply(name!, await client.callBuffer(name!, ...args))
      } catch (e) {
        throw asCommandError(e)
      }
    },
    pipeline: async (commands) => outcomes(commands, await client.pipeline(commands.map((c) => ['callBuffer', ...c])).exec()),
    transaction: async (commands) => {
      try {
        return outcomes(commands, await client.multi(commands.map((c) => ['callBuffer', ...c])).exec())
      } catch (e) {
        throw asCommandError(e)
      }
    },
    close: async () => {
      client.disconnect()
    },
  }
}
