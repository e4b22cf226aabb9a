/**
 * QStash v2 REST in a local process, so the official @upstash/qstash Client and Receiver run
 * unchanged: publish (delay, not-before, retries with QStash's backoff, deduplication, forwarded
 * headers), signed at-least-once delivery, dead-letter queue, message and event listing, and cron
 * schedules with fixed ids. Fidelity notes: docs/protocols/qstash.md ("The local dev server").
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto'
import { type Context, Hono } from 'hono'
import { type NodeEnv, type RunningServer, rawBody, rawPath, serveApp } from '../shared/http-kit.ts'
import { parseCron } from './cron.ts'
import { signDelivery } from './signing.ts'

export interface QStashDevOptions {
  port?: number
  token?: string
  currentSigningKey?: string
  nextSigningKey?: string
  /** Which key signs deliveries; 'next' simulates a key rotation in progress. */
  signWith?: 'current' | 'next'
  /** Multiplies QStash's real backoff (e^(2.5·n) s); tests use e.g. 0.001. */
  backoffScale?: number
  deliveryTimeoutMs?: number
  schedulerEnabled?: boolean
  now?: () => number
  log?: (line: string) => void
}

type State = 'CREATED' | 'ACTIVE' | 'DELIVERED' | 'RETRY' | 'ERROR' | 'FAILED' | 'CANCELLED'

interface Message {
  messageId: string
  url: string
  method: string
  body: Buffer
  header: Record<string, string>
  maxRetries: number
  retried: number
  notBefore: number
  state: State
  scheduleId?: string
  createdAt: number
  timer?: NodeJS.Timeout
  dueAt?: number
}

interface DlqEntry {
  dlqId: string
  messageId: string
  url: string
  method: string
  body: string
  header: Record<string, string[]>
  maxRetries: number
  createdAt: number
  responseStatus?: number
  responseBody?: string
  scheduleId?: string
}

interface Schedule {
  scheduleId: string
  cron: string
  destination: string
  method: string
  header: Record<string, string[]>
  body?: string
  retries: number
  createdAt: number
  isPaused: boolean
  forward: Record<string, string>
}

export interface QStashDev extends RunningServer {
  readonly token: string
  readonly currentSigningKey: string
  readonly nextSigningKey: string
  /** Resolves when no delivery is running or due within `horizonMs`. */
  drain(horizonMs?: number): Promise<void>
  /** Fires every unpaused schedule whose cron matches the minute of `at`. */
  tick(at: Date): Promise<string[]>
}

const DEFAULT_RETRIES = 3
const DEDUPE_WINDOW_MS = 90 * 24 * 3600 * 1000

export async function startQStashDev(opts: QStashDevOptions = {}): Promise<QStashDev> {
  const env = process.env
  const token = opts.token ?? env['QSTASH_TOKEN'] ?? 'dev-qstash-token'
  const currentSigningKey = opts.currentSigningKey ?? env['QSTASH_CURRENT_SIGNING_KEY'] ?? 'sig_dev_current'
  const nextSigningKey = opts.nextSigningKey ?? env['QSTASH_NEXT_SIGNING_KEY'] ?? 'sig_dev_next'
  const now = opts.now ?? Date.now
  const backoffScale = opts.backoffScale ?? 1
  const timeoutMs = opts.deliveryTimeoutMs ?? 30_000
  const log = opts.log ?? (() => {})

  const messages = new Map<string, Message>()
  const dedupe = new Map<string, { messageId: string; at: number }>()
  const dlq: DlqEntry[] = []
  const events: Array<{ time: number; messageId: string; state: State; url: string; responseStatus?: number }> = []
  const schedules = new Map<string, Schedule>()
  let inFlight = 0

  const record = (m: Message, state: State, responseStatus?: number) => {
    m.state = state
    events.push({ time: now(), messageId: m.messageId, state, url: m.url, ...(responseStatus !== undefined && { responseStatus }) })
  }

  function enqueue(m: Message): void {
    const delay = Math.max(0, m.notBefore - now())
    m.dueAt = now() + delay
    m.timer = setTimeout(() => void deliver(m), delay)
  }

  async function deliver(m: Message): Promise<void> {
    m.timer = undefined
    m.dueAt = undefined
    if (m.state === 'CANCELLED') return
    inFlight++
    record(m, 'ACTIVE')
    let status = 0
    let responseBody = ''
    try {
      const signature = await signDelivery(opts.signWith === 'next' ? nextSigningKey : currentSigningKey, m.url, m.body)
      const res = await fetch(m.url, {
        method: m.method,
        headers: {
          ...m.header,
          'upstash-signature': signature,
          'upstash-message-id': m.messageId,
          'upstash-retried': String(m.retried),
          ...(m.scheduleId && { 'upstash-schedule-id': m.scheduleId }),
        },
        ...(m.method !== 'GET' && m.method !== 'HEAD' && { body: m.body }),
        signal: AbortSignal.timeout(timeoutMs),
      })
      status = res.status
      responseBody = await res.text().catch(() => '')
    } catch (e) {
      responseBody = (e as Error).message
    } finally {
      inFlight--
    }
    log(`delivery ${m.messageId} → ${m.url}: ${status || responseBody}`)
    if (status >= 200 && status < 300) return record(m, 'DELIVERED', status)
    if (m.retried < m.maxRetries) {
      m.retried++
      record(m, 'RETRY', status)
      // QStash's documented backoff: min(1 day, e^(2.5·retried)) seconds.
      m.notBefore = now() + Math.min(86_400, Math.exp(2.5 * m.retried)) * 1000 * backoffScale
      return enqueue(m)
    }
    record(m, 'FAILED', status)
    dlq.push({
      dlqId: `dlq_${randomUUID()}`,
      messageId: m.messageId,
      url: m.url,
      method: m.method,
      body: m.body.toString('utf8'),
      header: Object.fromEntries(Object.entries(m.header).map(([k, v]) => [k, [v]])),
      maxRetries: m.maxRetries,
      createdAt: m.createdAt,
      ...(status && { responseStatus: status }),
      responseBody,
      ...(m.scheduleId && { scheduleId: m.scheduleId }),
    })
  }

  function publish(input: {
    url: string
    method: string
    body: Buffer
    header: Record<string, string>
    retries: number
    delayMs: number
    notBefore?: number
    dedupeKey?: string
    scheduleId?: string
  }): { messageId: string; deduplicated: boolean } {
    if (input.dedupeKey) {
      const seen = dedupe.get(input.dedupeKey)
      if (seen && now() - seen.at < DEDUPE_WINDOW_MS) return { messageId: seen.messageId, deduplicated: true }
    }
    const m: Message = {
      messageId: `msg_${randomUUID()}`,
      url: input.url,
      method: input.method,
      body: input.body,
      header: input.header,
      maxRetries: input.retries,
      retried: 0,
      notBefore: input.notBefore ?? now() + input.delayMs,
      state: 'CREATED',
      createdAt: now(),
      ...(input.scheduleId && { scheduleId: input.scheduleId }),
    }
    messages.set(m.messageId, m)
    if (input.dedupeKey) dedupe.set(input.dedupeKey, { messageId: m.messageId, at: now() })
    record(m, 'CREATED')
    enqueue(m)
    return { messageId: m.messageId, deduplicated: false }
  }

  function fire(s: Schedule): string {
    return publish({
      url: s.destination,
      method: s.method,
      body: Buffer.from(s.body ?? ''),
      header: s.forward,
      retries: s.retries,
      delayMs: 0,
      scheduleId: s.scheduleId,
    }).messageId
  }

  async function tick(at: Date): Promise<string[]> {
    return [...schedules.values()].filter((s) => !s.isPaused && parseCron(s.cron).matches(at)).map(fire)
  }

  let lastMinute = Math.floor(now() / 60_000)
  const scheduler =
    opts.schedulerEnabled === false
      ? undefined
      : setInterval(() => {
          const minute = Math.floor(now() / 60_000)
          if (minute > lastMinute) {
            lastMinute = minute
            void tick(new Date(minute * 60_000))
          }
        }, 1000)
  scheduler?.unref()

  const app = new Hono<NodeEnv>()
    .get('/__health', (c) => c.json({ ok: true }))
    .post('/__control/tick', async (c) => {
      const at = JSON.parse((await c.req.text()) || '{}').at
      return c.json({ messageIds: await tick(at ? new Date(at) : new Date(now())) })
    })
    .post('/__control/schedules/:id/trigger', (c) => {
      const s = schedules.get(c.req.param('id'))
      return s ? c.json({ messageId: fire(s) }) : c.json({ error: 'schedule not found' }, 404)
    })
    .delete('/__control/reset', (c) => {
      for (const m of messages.values()) if (m.timer) clearTimeout(m.timer)
      messages.clear()
      dedupe.clear()
      dlq.length = 0
      events.length = 0
      schedules.clear()
      return c.json({ ok: true })
    })
    .all('/__control/*', (c) => c.json({ error: 'unknown control route' }, 404))
    .use(async (c, next) => {
      if (!authorized(c.req.header('authorization'), token)) return c.json({ error: 'Unauthorized' }, 401)
      await next()
    })
    .post('/v2/publish/*', async (c) => {
      const parsed = publishInput(c.req.header(), decodeDestination(rawPath(c).slice('/v2/publish/'.length)), await rawBody(c))
      if ('error' in parsed) return c.json({ error: parsed.error }, 400)
      const r = publish(parsed)
      return r.deduplicated ? c.json({ messageId: r.messageId, deduplicated: true }, 202) : c.json({ messageId: r.messageId }, 201)
    })
    .post('/v2/batch', async (c) => {
      const items = JSON.parse((await c.req.text()) || '[]') as Array<{
        destination: string
        headers?: Record<string, string>
        body?: string
      }>
      const out = items.map((item) => {
        const parsed = publishInput(lowerKeys(item.headers ?? {}), item.destination, Buffer.from(item.body ?? ''))
        return 'error' in parsed ? { error: parsed.error } : { messageId: publish(parsed).messageId }
      })
      return c.json(out, 201)
    })
    .all('/v2/messages/:id', (c) => {
      const m = messages.get(c.req.param('id'))
      if (!m) return c.json({ error: 'message not found' }, 404)
      if (c.req.method === 'DELETE') {
        if (m.timer) clearTimeout(m.timer)
        record(m, 'CANCELLED')
        return c.body(null, 202)
      }
      const { messageId, url, method, header, state, createdAt, notBefore, maxRetries, retried } = m
      return c.json({ messageId, url, method, body: m.body.toString('utf8'), header, state, createdAt, notBefore, maxRetries, retried })
    })
    // `dlqIds` (repeatable) narrows the list, as QStash does; the client's find-by-id uses it.
    .get('/v2/dlq', (c) => {
      const ids = c.req.queries('dlqIds') ?? []
      return c.json({ messages: ids.length ? dlq.filter((d) => ids.includes(d.dlqId)) : dlq })
    })
    .get('/v2/dlq/:id', (c) => {
      const entry = dlq.find((d) => d.dlqId === c.req.param('id'))
      return entry ? c.json(entry) : c.json({ error: 'dlq message not found' }, 404)
    })
    .delete('/v2/dlq/:id', (c) => {
      const i = dlq.findIndex((d) => d.dlqId === c.req.param('id'))
      if (i < 0) return c.json({ error: 'dlq message not found' }, 404)
      dlq.splice(i, 1)
      return c.body(null, 200)
    })
    .get('/v2/events', (c) => {
      const id = c.req.query('messageId')
      return c.json({ events: events.filter((e) => !id || e.messageId === id).reverse() })
    })
    .get('/v2/schedules', (c) => c.json([...schedules.values()].map(view)))
    .post('/v2/schedules/*', async (c, next) => {
      const destination = decodeDestination(rawPath(c).slice('/v2/schedules/'.length))
      if (!/^https?:/.test(destination)) return next()
      return createSchedule(c.req.header(), destination, await rawBody(c), c)
    })
    .get('/v2/schedules/:id', (c) => withSchedule(c, (s) => c.json(view(s))))
    .delete('/v2/schedules/:id', (c) =>
      withSchedule(c, (s) => {
        schedules.delete(s.scheduleId)
        return c.body(null, 200)
      }),
    )
    .patch('/v2/schedules/:id/:action{pause|resume}', (c) =>
      withSchedule(c, (s) => {
        s.isPaused = c.req.param('action') === 'pause'
        return c.body(null, 200)
      }),
    )
    .all('/v2/schedules/:id/*', (c) => withSchedule(c, () => notFound(c)))
    .all('*', notFound)
  const server = await serveApp(opts.port ?? 0, app)

  function withSchedule(c: Context, then: (s: Schedule) => Response): Response {
    const s = schedules.get(c.req.param('id') ?? '')
    return s ? then(s) : c.json({ error: 'schedule not found' }, 404)
  }

  function createSchedule(headers: Record<string, string>, destination: string, body: Buffer, c: Context): Response {
    const cron = headers['upstash-cron']
    if (!cron) return c.json({ error: 'Upstash-Cron header is required' }, 400)
    try {
      parseCron(cron)
    } catch (e) {
      return c.json({ error: `invalid cron: ${(e as Error).message}` }, 400)
    }
    const parsed = publishInput(headers, destination, body)
    if ('error' in parsed) return c.json({ error: parsed.error }, 400)
    const scheduleId = headers['upstash-schedule-id'] ?? `scd_${randomUUID()}`
    const previous = schedules.get(scheduleId)
    schedules.set(scheduleId, {
      scheduleId,
      cron,
      destination: parsed.url,
      method: parsed.method,
      header: Object.fromEntries(Object.entries(parsed.header).map(([k, v]) => [k, [v]])),
      forward: parsed.header,
      ...(body.length > 0 && { body: body.toString('utf8') }),
      retries: parsed.retries,
      createdAt: previous?.createdAt ?? now(),
      isPaused: previous?.isPaused ?? false,
    })
    return c.json({ scheduleId })
  }

  function publishInput(headers: Record<string, string>, destination: string, body: Buffer) {
    if (!/^https?:\/\//.test(destination)) return { error: `invalid destination url: ${destination}` } as const
    const delayMs = headers['upstash-delay'] ? parseDuration(headers['upstash-delay']) : 0
    if (delayMs === null) return { error: `invalid Upstash-Delay: ${headers['upstash-delay']}` } as const
    const retries = headers['upstash-retries'] !== undefined ? Number(headers['upstash-retries']) : DEFAULT_RETRIES
    if (!Number.isInteger(retries) || retries < 0) return { error: 'invalid Upstash-Retries' } as const
    let dedupeKey = headers['upstash-deduplication-id']
    if (!dedupeKey && headers['upstash-content-based-deduplication'] === 'true') {
      dedupeKey = createHash('sha256').update(destination).update('\n').update(body).digest('hex')
    }
    const forward: Record<string, string> = {}
    for (const [k, v] of Object.entries(headers)) {
      if (k.startsWith('upstash-forward-')) forward[k.slice('upstash-forward-'.length)] = v
    }
    if (headers['content-type']) forward['content-type'] ??= headers['content-type']
    return {
      url: destination,
      method: headers['upstash-method'] ?? 'POST',
      body,
      header: forward,
      retries,
      delayMs,
      ...(headers['upstash-not-before'] && { notBefore: Number(headers['upstash-not-before']) * 1000 }),
      ...(dedupeKey && { dedupeKey }),
    }
  }

  return {
    ...server,
    token,
    currentSigningKey,
    nextSigningKey,
    tick,
    async drain(horizonMs = 2000) {
      for (;;) {
        const soon = [...messages.values()].some((m) => m.dueAt !== undefined && m.dueAt - now() <= horizonMs)
        if (inFlight === 0 && !soon) return
        await new Promise((r) => setTimeout(r, 10))
      }
    },
    close: async () => {
      if (scheduler) clearInterval(scheduler)
      for (const m of messages.values()) if (m.timer) clearTimeout(m.timer)
      await server.close()
    },
  }
}

function view(s: Schedule) {
  const { forward: _f, ...rest } = s
  return rest
}

/** The client appends the raw destination URL to the path; undo any percent-encoding of it. */
function decodeDestination(raw: string): string {
  return /^https?%3A/i.test(raw) ? decodeURIComponent(raw) : raw
}

function parseDuration(s: string): number | null {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(s.trim())
  if (!m) return null
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd']
  return Number(m[1]) * unit
}

function lowerKeys(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
  return out
}

function notFound(c: Context): Response {
  return c.json({ error: `not found: ${c.req.method} ${rawPath(c)}` }, 404)
}

function authorized(header = '', token: string): boolean {
  const a = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '')
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}
