/**
 * An in-process Redis for machines that have none: ioredis-mock (commands emulated in memory,
 * MULTI, Lua through fengari), with Redis's own behaviour restored where the mock is looser and
 * the app depends on it: INCR-family errors on non-integers (the mock silently stores "NaN"),
 * WRONGTYPE for string commands on other types, EXPIRE's NX/XX/GT/LT (the mock ignores them) and
 * HGETALL as a flat array. Those corrections apply to commands sent over REST, not to
 * redis.call inside a Lua script. Everything is lost when the process stops.
 */
import { randomUUID } from 'node:crypto'
import IORedis from 'ioredis'
import RedisMock from 'ioredis-mock'
import { asRedisReply, CommandError, type Outcome, type RedisEngine } from './engine.ts'

type Emulated = (...args: string[]) => Promise<unknown>
type Mock = Record<string, Emulated | undefined>

const NOT_INTEGER = 'ERR value is not an integer or out of range'
const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value'
const PASS = Symbol('let the mock answer')
// Redis's command table, as ioredis ships it: anything else on the mock object is not a command.
const KNOWN = new Set((IORedis.prototype as unknown as { getBuiltinCommands(): string[] }).getBuiltinCommands())
const isInteger = (v: string) => /^-?\d{1,19}$/.test(v) && Number.isSafeInteger(Number(v))

/** Checks and answers that run before the mock's own emulation of a command. */
const STRICTER: Record<string, (mock: Mock, args: string[]) => Promise<unknown>> = {
  get: (m, [key]) => needType(m, key!, 'string'),
  getdel: (m, [key]) => needType(m, key!, 'string'),
  strlen: (m, [key]) => needType(m, key!, 'string'),
  append: (m, [key]) => needType(m, key!, 'string'),
  incr: (m, [key]) => needInteger(m, key!),
  decr: (m, [key]) => needInteger(m, key!),
  incrby: (m, [key, by]) => needInteger(m, key!, by),
  decrby: (m, [key, by]) => needInteger(m, key!, by),
  hincrby: async (m, [key, field, by]) => {
    await needType(m, key!, 'hash')
    const current = (await call(m, 'hget', key!, field!)) as string | null
    if ((current !== null && !isInteger(current)) || !isInteger(by ?? '')) throw new CommandError('ERR hash value is not an integer')
    return PASS
  },
  expire: (m, args) => conditionalExpiry(m, 'expire', 1000, args),
  pexpire: (m, args) => conditionalExpiry(m, 'pexpire', 1, args),
}

/**
 * The mock matches option words in upper case only (SET k v EX 60), while the official client
 * sends them in lower case. Arguments from this index on are options or numbers, never data.
 */
const OPTIONS_FROM: Record<string, number> = { set: 2, zadd: 1, zrange: 3, zrangebyscore: 3, zrevrangebyscore: 3, zrevrange: 3 }
const OPTION = /^(ex|px|exat|pxat|nx|xx|gt|lt|get|keepttl|ch|incr|withscores|byscore|bylex|rev|limit)$/i

function withOptionsUpperCase(name: string, args: string[]): string[] {
  const from = OPTIONS_FROM[name]
  if (from === undefined) return args
  let inOptions = true
  return args.map((a, i) => {
    if (i < from || !inOptions) return a
    // ZADD: options come before the first score; a member after it may be spelt like an option.
    if (name === 'zadd' && !OPTION.test(a)) inOptions = false
    return inOptions && OPTION.test(a) ? a.toUpperCase() : a
  })
}

async function call(m: Mock, name: string, ...args: string[]): Promise<unknown> {
  return m[name]!.apply(m, args)
}

async function needType(m: Mock, key: string, type: string): Promise<typeof PASS> {
  const actual = await call(m, 'type', key)
  if (actual !== 'none' && actual !== type) throw new CommandError(WRONGTYPE)
  return PASS
}

async function needInteger(m: Mock, key: string, by = '1'): Promise<typeof PASS> {
  await needType(m, key, 'string')
  const current = (await call(m, 'get', key)) as string | null
  if ((current !== null && !isInteger(current)) || !isInteger(by)) throw new CommandError(NOT_INTEGER)
  return PASS
}

/** EXPIRE/PEXPIRE key n [NX|XX|GT|LT]: decided here, then the plain command sets the TTL. */
async function conditionalExpiry(m: Mock, name: string, unitMs: number, [key, amount, flag, ...rest]: string[]): Promise<unknown> {
  if (!flag) return PASS
  if (rest.length || !['NX', 'XX', 'GT', 'LT'].includes(flag.toUpperCase())) throw new CommandError(`ERR Unsupported option ${flag}`)
  if (!isInteger(amount ?? '')) throw new CommandError(NOT_INTEGER)
  const pttl = (await call(m, 'pttl', key!)) as number
  if (pttl === -2) return 0
  const wanted = Number(amount) * unitMs
  const ok = { NX: pttl === -1, XX: pttl !== -1, GT: pttl !== -1 && wanted > pttl, LT: pttl === -1 || wanted < pttl }[
    flag.toUpperCase() as 'NX'
  ]
  return ok ? call(m, name, key!, amount!) : 0
}

export function startEmbeddedRedis(): RedisEngine {
  // ioredis-mock shares data between instances with the same host: a unique one keeps this apart.
  const mock = new RedisMock({ host: `embedded-${randomUUID()}` }) as unknown as Mock
  let tail: Promise<unknown> = Promise.resolve()
  /** One request at a time, so a MULTI, a pipeline or a check-then-act above is never interleaved. */
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn)
    tail = run.catch(() => {})
    return run
  }
  const known = (args: readonly string[]) => KNOWN.has(args[0]!.toLowerCase()) && typeof mock[args[0]!.toLowerCase()] === 'function'

  async function run(args: readonly string[]): Promise<unknown> {
    const name = args[0]!.toLowerCase()
    if (!known(args)) throw new CommandError(`ERR unknown command '${args[0]}', with args beginning with: ${args.slice(1, 3).join(' ')}`)
    try {
      const answered = await STRICTER[name]?.(mock, args.slice(1))
      if (answered !== undefined && answered !== PASS) return answered
      const value = await call(
        mock,
        typeof mock[`${name}Buffer`] === 'function' ? `${name}Buffer` : name,
        ...withOptionsUpperCase(name, args.slice(1)),
      )
      return asRedisReply(name, value)
    } catch (e) {
      if (e instanceof CommandError) throw e
      const message = (e as Error).message
      throw new CommandError(/^[A-Z]{2,}\b/.test(message) ? message : `ERR ${message}`)
    }
  }
  const each = async (commands: readonly (readonly string[])[]): Promise<Outcome[]> => {
    const out: Outcome[] = []
    for (const c of commands) {
      try {
        out.push({ result: await run(c) })
      } catch (e) {
        out.push({ error: (e as Error).message })
      }
    }
    return out
  }

  return {
    kind: 'embedded',
    command: (args) => exclusive(() => run(args)),
    pipeline: (commands) => exclusive(() => each(commands)),
    transaction: (commands) =>
      exclusive(async () => {
        // Like Redis: an unknown command discards the whole transaction before anything runs.
        if (!commands.every(known)) throw new CommandError('EXECABORT Transaction discarded because of previous errors.')
        return each(commands)
      }),
    close: async () => {
      await exclusive(() => call(mock, 'flushall'))
    },
  }
}
