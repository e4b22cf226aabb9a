import { SELF } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { call, token, uniq } from '../helpers.ts'
import { createOwned, createReachable, forgedTokens, type Owned, type Reachable } from './fixtures.ts'
import { diffCounts, rowCounts, TABLES } from './tables.ts'
import { countFigure } from '../../support/figures.ts'

/**
 * Issue 7, "Hostile input": schema-driven fuzzing of every operation in the served OpenAPI
 * document. A small generator walks each operation's JSON schemas (path, query, body) and a seeded
 * PRNG mutates plausible requests into hostile ones: malformed JSON, wrong types, huge, negative
 * and fractional numbers, unicode and control characters, very long strings, oversized bodies,
 * missing, forged, expired and wrong-audience tokens, path parameters of the wrong shape, and the
 * real ids of existing resources (fixtures.ts: every path parameter but NO_FIXTURE_FOR's) so body
 * and query validation, and the handlers of reads, are reached. Invariants: no 5xx, every 4xx has
 * the error shape, and no table changes while an operation's batch is refused. The same SEED
 * reproduces a failure; each failure message names the case.
 *
 * The state check counts the rows of every table (src/db/*-schema.ts) before and after each
 * operation's batch, so it assumes no other test file writes to the database meanwhile: Vitest runs
 * one file at a time on a 2-core machine (availableParallelism - 1 workers). Writes where some
 * case was accepted (a 2xx: e.g. a hostile but valid unicode name) are listed, not compared; reads
 * are compared even when accepted (a read changes nothing), except READS_THAT_WRITE.
 */
const SEED = 0x7a11ed
const CASES_PER_OPERATION = 16
const CONCURRENCY = 4
/**
 * 503 DEPENDENCY_UNAVAILABLE naming postgres is the designed answer when the shared Postgres has no
 * connection left (other test runs on this machine): the case is sent again, up to this many times,
 * and counted; a case still refused that way fails like any 5xx.
 */
const RETRIES_ON_POSTGRES_BUSY = 4
const MAX_BODY = 1024 * 1024
const WEBSOCKET_PATH = '/payment-notifications'

// ---- seeded PRNG ---------------------------------------------------------------------------------
function mulberry32(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
let rand = mulberry32(SEED)
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
const chance = (p: number) => rand() < p

// ---- hostile values --------------------------------------------------------------------------------
const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b\u0007\u001b[31m',
  '\r\nX-Injected: 1',
  '\u202egnp.exe',
  '\ud800',
  '😀'.repeat(300),
  'Ω≈ç√∫˜µ≤≥÷ 日本語 العربية',
  'a'.repeat(70_000),
  "' OR 1=1; --",
  '"; drop table orders; --',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00%2e%2e%2f',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile input, not a template
  '${jndi:ldap://x}',
  '__proto__',
  'null',
  '-1',
  '1e309',
  'NaN',
  '0x10',
  '2026-02-30',
  '9999-99-99T99:99:99Z',
  'not-an-email@',
  `TXN-${'Z'.repeat(300)}`,
]
const HOSTILE_NUMBERS = [-1, -0.5, 0.5, 1.5, 0, -2147483649, 2147483648, 2 ** 53 + 2, 1e21, 1e308, -1e308, 5e-324, 99.999]
const HOSTILE_ANY: unknown[] = [null, true, false, [], {}, [null], { $gt: '' }, { __proto__: { admin: true } }, 'string', 12, -12.5]
/** Raw JSON tokens JSON.stringify cannot produce: parsed they are Infinity, or they are not JSON at all. */
const RAW_NUMBERS = ['1e999', '-1e999', `1${'0'.repeat(400)}`, `0.${'0'.repeat(400)}1`, '-0']

const MALFORMED_BODIES = [
  '{',
  '{"a":',
  '[',
  '}',
  'nul',
  '"unterminated',
  '{"a":1,}',
  "{'a':1}",
  '\u0000',
  '{"a":1}{"b":2}',
  '[]'.repeat(1000),
  '['.repeat(20_000) + ']'.repeat(20_000),
]

// ---- a small generator over JSON Schema (draft 2020-12, as zod emits it) -------------------------
type Schema = Record<string, any>

function sample(s: Schema | undefined, depth = 0): unknown {
  if (!s || depth > 6) return null
  if ('const' in s) return s.const
  if (Array.isArray(s.enum)) return pick(s.enum)
  if (s.anyOf) return sample(pick(s.anyOf), depth + 1)
  if (s.oneOf) return sample(pick(s.oneOf), depth + 1)
  if (s.allOf) return Object.assign({}, ...s.allOf.map((x: Schema) => sample(x, depth + 1)))
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      const req = new Set<string>(s.required ?? [])
      for (const [k, v] of Object.entries<Schema>(s.properties ?? {})) if (req.has(k) || chance(0.5)) out[k] = sample(v, depth + 1)
      return out
    }
    case 'array': {
      const n = Math.max(s.minItems ?? 0, 1)
      return Array.from({ length: Math.min(n, 3) }, () => sample(s.items, depth + 1))
    }
    case 'integer':
      return Math.max(s.minimum ?? 1, Math.min(s.maximum ?? 100, 1 + Math.floor(rand() * 100)))
    case 'number':
      return Math.max(s.minimum ?? 1, Math.min(s.maximum ?? 100, 1 + Math.floor(rand() * 100)))
    case 'boolean':
      return chance(0.5)
    case 'string': {
      if (s.format === 'email') return `fuzz-${uniq().toLowerCase()}@example.test`
      if (s.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString()
      if (s.format === 'date') return new Date(Date.now() + 86_400_000 * 30).toISOString().slice(0, 10)
      if (s.format === 'uri' || s.format === 'url') return 'https://example.test/x'
      const len = Math.max(s.minLength ?? 1, Math.min(s.maxLength ?? 12, 8))
      return 'A'.repeat(len)
    }
    default:
      return pick(['x', 1, true])
  }
}

/** Leaf paths of a sampled body, with the schema that describes each. */
function leaves(
  value: unknown,
  s: Schema | undefined,
  path: (string | number)[] = [],
): Array<{ path: (string | number)[]; schema: Schema | undefined }> {
  const out: Array<{ path: (string | number)[]; schema: Schema | undefined }> = [{ path, schema: s }]
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...leaves(v, s?.items, [...path, i]))
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value))
      out.push(...leaves(v, s?.properties?.[k] ?? resolveObject(s)?.properties?.[k], [...path, k]))
  }
  return out
}
const resolveObject = (s: Schema | undefined): Schema | undefined => s?.anyOf?.find((x: Schema) => x.type === 'object') ?? s?.allOf?.[0]

function hostileFor(s: Schema | undefined): unknown {
  const type = Array.isArray(s?.type) ? s!.type[0] : s?.type
  if (type === 'integer' || type === 'number')
    return chance(0.8) ? pick(HOSTILE_NUMBERS) : pick([...HOSTILE_STRINGS.slice(15, 22), ...HOSTILE_ANY])
  if (type === 'string') return chance(0.75) ? pick(HOSTILE_STRINGS) : pick([...HOSTILE_NUMBERS, ...HOSTILE_ANY])
  if (type === 'array') return pick([Array.from({ length: 5000 }, () => 1), 'x', {}, [pick(HOSTILE_ANY)], null])
  return pick([...HOSTILE_ANY, ...HOSTILE_STRINGS.slice(0, 10), ...HOSTILE_NUMBERS])
}

function setAt(root: unknown, path: (string | number)[], v: unknown): unknown {
  if (path.length === 0) return v
  const copy: any = Array.isArray(root) ? [...root] : { ...(root as object) }
  copy[path[0]!] = setAt(copy[path[0]!], path.slice(1), v)
  return copy
}

/** One hostile body: a text to send (possibly not JSON) and a label for the report. */
function hostileBody(s: Schema): { text: string; label: string; contentType?: string } {
  const base = sample(s)
  const roll = rand()
  if (roll < 0.12) return { text: pick(MALFORMED_BODIES), label: 'malformed JSON' }
  if (roll < 0.18) return { text: JSON.stringify(pick(HOSTILE_ANY)), label: 'wrong top-level type' }
  if (roll < 0.23)
    return {
      text: JSON.stringify(base),
      contentType: pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']),
      label: 'wrong content type',
    }
  const ls = leaves(base, s).filter((l) => l.path.length > 0)
  if (roll < 0.33 && base && typeof base === 'object' && !Array.isArray(base)) {
    const req: string[] = s.required ?? resolveObject(s)?.required ?? []
    if (req.length) {
      const k = pick(req)
      const { [k]: _drop, ...rest } = base as Record<string, unknown>
      return { text: JSON.stringify(rest), label: `missing ${k}` }
    }
  }
  if (roll < 0.4 && ls.length) {
    const l = pick(ls)
    const marker = `"__RAW_${uniq()}__"`
    const raw = pick(RAW_NUMBERS)
    return {
      text: JSON.stringify(setAt(base, l.path, JSON.parse(marker))).replace(marker, raw),
      label: `${l.path.join('.')}=${raw.slice(0, 20)}`,
    }
  }
  if (roll < 0.45) {
    const extra = {
      ...(base as object),
      __proto__x: 1,
      constructor: { prototype: { admin: true } },
      ['k'.repeat(2000)]: 'v',
      role: 'admin',
      user_id: 'someone-else',
    }
    return { text: JSON.stringify(extra), label: 'unknown properties' }
  }
  if (!ls.length) return { text: JSON.stringify(pick(HOSTILE_ANY)), label: 'hostile scalar body' }
  // Mutate one to three leaves.
  let body = base
  const labels: string[] = []
  for (let i = 0, n = 1 + Math.floor(rand() * 3); i < n; i++) {
    const l = pick(ls)
    const v = hostileFor(l.schema)
    body = setAt(body, l.path, v)
    labels.push(`${l.path.join('.')}=${JSON.stringify(v)?.slice(0, 24)}`)
  }
  return { text: JSON.stringify(body), label: labels.join(' ') }
}

const HOSTILE_PATH_SEGMENTS = [
  '',
  '0',
  '-1',
  '1.5',
  '1e999',
  'null',
  '%00',
  '%2e%2e',
  '..%2F..%2Fadmin',
  encodeURIComponent('😀'.repeat(50)),
  encodeURIComponent('\u0000\u001f'),
  encodeURIComponent("' OR 1=1 --"),
  'x'.repeat(5000),
  `ord_${'0'.repeat(26)}`,
  'ORD_01JZZZZZZZZZZZZZZZZZZZZZZZ',
  encodeURIComponent('<script>'),
  '%E0%A4%A',
]

function hostileQueryValue(): string {
  return pick([...HOSTILE_STRINGS.filter((s) => s.length < 5000), ...HOSTILE_NUMBERS.map(String), ...RAW_NUMBERS, 'x'.repeat(10_000)])
}

// ---- operations from the served document ----------------------------------------------------------
interface Operation {
  method: string
  path: string
  auth: string
  pathParams: string[]
  query: Array<{ name: string; schema: Schema; required: boolean }>
  body?: Schema
}

interface Case {
  op: Operation
  label: string
  url: string
  init: RequestInit
  /** Status the case must get, when the contract fixes it (auth refusals, 413). */
  expectStatus?: number | number[]
}

/** Path parameters that name a real resource created in beforeAll, so handlers get past lookups. */
function realIds(o: Owned, r: Reachable): Record<string, string> {
  return {
    propertyId: r.propertyId,
    auctionId: r.auctionId,
    awardId: r.awardId,
    offerId: r.offerId,
    paymentId: r.paymentId,
    bookingId: r.bookingId,
    transactionId: r.transactionId,
    file_id: r.fileId,
    order_id: o.orderId,
    reference: o.paymentReference,
    payment_id: o.paymentId,
    product_id: o.productId,
    variant_id: o.variantId,
    supplier_code: o.supplierCode,
    gift_id: o.giftId,
    sessionId: o.bookingSessionId,
    appTransId: o.appTransId,
    merchant_cashback_id: o.merchantCashbackId,
    user_id: o.ownerId,
    name: 'platform.heartbeat',
  }
}

/** Parameters with no fixture here: fuzzed with synthetic ids only. */
const NO_FIXTURE_FOR = {
  id: 'a dead letter exists only after QStash gives up on a job (tests/integration/chaos/dead-letters.test.ts makes one)',
}

/** GET operations that write by design, so an accepted case may change rows. */
const READS_THAT_WRITE = new Set([
  // Settles the session from ZaloPay's query API (the same path as the callback).
  'GET /api/v1/payment/zalopay/status/{appTransId}',
  // Settles the payment from Paystack's verify API (the browser's return from checkout).
  'GET /payments/return',
])

/** ZaloPay's callback protocol answers 200 with `return_code` 1 (applied) or 2 (already applied); anything else is a refusal. */
const refusedInBody = (op: Operation, body: any) =>
  op.path.endsWith('/payment/zalopay/callback') && typeof body?.return_code === 'number' && body.return_code !== 1 && body.return_code !== 2

const isErrorShape = (b: any) =>
  b &&
  typeof b === 'object' &&
  b.error &&
  typeof b.error.code === 'string' &&
  typeof b.error.message === 'string' &&
  typeof b.error.request_id === 'string'

let owned: Owned
let reachable: Reachable
let ops: Operation[]
let forged: Record<string, string>
let fuzzUser: string

describe('fuzzing every operation of /openapi.json', () => {
  beforeAll(async () => {
    owned = await createOwned({ bookings: true, loyalty: true })
    reachable = await createReachable(owned)
    forged = await forgedTokens(owned.ownerId)
    fuzzUser = await token(`h7-fuzz-${uniq()}`)
    const doc = await call('GET', '/openapi.json')
    expect(doc.status).toBe(200)
    ops = []
    for (const [path, methods] of Object.entries<Record<string, any>>(doc.body.paths)) {
      for (const [method, op] of Object.entries<any>(methods)) {
        const params: any[] = op.parameters ?? []
        ops.push({
          method: method.toUpperCase(),
          path,
          auth: op['x-auth'],
          pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
          query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema, required: p.required })),
          ...(op.requestBody && { body: op.requestBody.content['application/json'].schema }),
        })
      }
    }
  }, 120_000)

  it('no 5xx, the error shape on every 4xx, and no state change while refused', async () => {
    rand = mulberry32(SEED)
    const ids = realIds(owned, reachable)
    // The document must list what the app mounts (the route list in src/app.ts feeds both).
    const { documentedOperations } = await import('../../../src/app.ts')
    expect(ops.length).toBe(documentedOperations().length)

    const build = (op: Operation, values: Record<string, string>) => op.path.replace(/\{([^}]+)\}/g, (_, n: string) => values[n] ?? 'x')
    const authFor = (op: Operation, real: boolean) =>
      op.auth === 'admin' ? owned.admin : op.auth === 'user' || op.auth === 'optional' ? (real ? owned.owner : fuzzUser) : undefined

    const casesFor = (op: Operation): Case[] => {
      const cases: Case[] = []
      const real = op.pathParams.length > 0 && op.pathParams.every((p) => p in ids)
      const realPath = build(op, ids)
      const synthPath = () => build(op, Object.fromEntries(op.pathParams.map((p) => [p, pick(HOSTILE_PATH_SEGMENTS)])))
      // A fresh client address per request: login attempts are also counted per address, and the
      // fuzzer must not throttle the fixed addresses other tests log in from.
      const headers = (tok?: string, extra: Record<string, string> = {}): Record<string, string> => ({
        'cf-connecting-ip': `2001:db8:7a::${crypto.randomUUID().slice(0, 4)}:${crypto.randomUUID().slice(0, 4)}`,
        ...(tok && { authorization: `Bearer ${tok}` }),
        ...extra,
      })
      const validQuery = () => {
        const q = new URLSearchParams()
        for (const p of op.query) if (p.required) q.set(p.name, String(sample(p.schema)))
        return q
      }
      const withQuery = (path: string, q: URLSearchParams) => (q.size ? `${path}?${q}` : path)

      // 1. Missing and forged credentials: 401 on every protected operation, 403 for users on admin ones.
      if (op.auth === 'user' || op.auth === 'admin' || op.auth === 'optional') {
        const path = withQuery(real ? realPath : build(op, Object.fromEntries(op.pathParams.map((p) => [p, ids[p] ?? 'x']))), validQuery())
        const body = op.body ? JSON.stringify(sample(op.body)) : undefined
        const mk = (label: string, h: Record<string, string>, expectStatus: number | number[]): Case => ({
          op,
          label,
          url: path,
          init: {
            method: op.method,
            headers: { ...headers(), ...h, ...(body && { 'content-type': 'application/json' }) },
            ...(body && { body }),
          },
          expectStatus,
        })
        if (op.auth !== 'optional') cases.push(mk('anonymous', {}, 401))
        for (const [kind, t] of Object.entries(forged)) cases.push(mk(`token ${kind}`, headers(t), 401))
        cases.push(mk('basic auth', { authorization: 'Basic YWRtaW46YWRtaW4=' }, 401))
        cases.push(mk('bearer without token', { authorization: 'Bearer ' }, 401))
        if (op.auth === 'admin') cases.push(mk('user token on an admin route', headers(owned.other), 403))
      } else if (op.auth === 'signature' || op.auth === 'qstash') {
        // No valid signature can be produced by a fuzzer: every case is a refusal.
        const sigHeaders: Array<Record<string, string>> = [
          {},
          { 'x-paystack-signature': 'ab'.repeat(64) },
          { 'upstash-signature': forged['wrong_secret']! },
          { 'x-paystack-signature': '' },
        ]
        const plausible = () =>
          JSON.stringify(op.body ? sample(op.body) : { event: 'charge.success', data: { reference: 'TXN-X', amount: 1 } })
        for (const h of sigHeaders) {
          const withBody = op.method !== 'GET'
          cases.push({
            op,
            label: `bad signature ${JSON.stringify(h).slice(0, 40)}`,
            url: withQuery(real ? realPath : synthPath(), validQuery()),
            init: {
              method: op.method,
              headers: { ...headers(), ...h, ...(withBody && { 'content-type': 'application/json' }) },
              ...(withBody && { body: plausible() }),
            },
          })
        }
      }

      // 2. Oversized bodies: 413 before anything else runs.
      if (op.method !== 'GET' && op.method !== 'DELETE') {
        cases.push({
          op,
          label: 'oversized body',
          url: real ? realPath : synthPath(),
          init: {
            method: op.method,
            headers: headers(authFor(op, real), { 'content-type': 'application/json' }),
            body: `{"x":"${'a'.repeat(MAX_BODY)}"}`,
          },
          expectStatus: 413,
        })
      }

      // 3. Hostile path parameters, queries and bodies with valid credentials.
      const fuzzable = op.pathParams.length > 0 || op.query.length > 0 || op.body !== undefined
      const n = fuzzable ? CASES_PER_OPERATION : 0
      for (let i = 0; i < n; i++) {
        const useReal = real && chance(0.5)
        // Real ids reach a handler only with some other input to make hostile: a body, a query, or
        // (reads only) unknown query parameters. A write whose only input is its path (lapse an
        // award, accept an offer, cancel a booking) with a real id would be a valid request, so its
        // real ids meet only the credential cases above.
        const pathOnlyRead = op.method === 'GET' && !op.body && op.query.length === 0
        const hostilePath = op.pathParams.length > 0 && (!useReal || !(op.body || op.query.length || pathOnlyRead))
        let path = hostilePath ? synthPath() : realPath
        const q = validQuery()
        const labels: string[] = [hostilePath ? `path ${path.slice(0, 60)}` : useReal ? 'real ids' : '']
        if (op.query.length && chance(op.body ? 0.3 : 0.8)) {
          const p = pick(op.query)
          const v = chance(0.2) ? sample(p.schema) : hostileQueryValue()
          q.set(p.name, String(v))
          if (chance(0.2)) q.append(p.name, hostileQueryValue())
          labels.push(`?${p.name}=${String(v).slice(0, 24)}`)
        } else if (pathOnlyRead && !hostilePath) {
          const name = pick(['limit', 'cursor', 'status', 'user_id', '__proto__', 'q'.repeat(300)])
          const v = hostileQueryValue()
          q.set(name, v)
          labels.push(`?${name.slice(0, 12)}=${v.slice(0, 24)}`)
        }
        path = withQuery(path, q)
        const h = headers(authFor(op, useReal || (!hostilePath && real)))
        if (chance(0.1)) h['x-request-id'] = pick(['x'.repeat(5000), 'a b c', '../../', ''])
        if (chance(0.1)) h['idempotency-key'] = pick(['k'.repeat(300), '', ' ', '\t'])
        let init: RequestInit = { method: op.method, headers: h }
        if (op.body) {
          const b = hostileBody(op.body)
          labels.push(b.label)
          init = { method: op.method, headers: { ...h, 'content-type': b.contentType ?? 'application/json' }, body: b.text }
        } else if (op.method !== 'GET' && op.method !== 'DELETE' && chance(0.3)) {
          init = { ...init, headers: { ...h, 'content-type': 'application/json' }, body: pick(MALFORMED_BODIES) }
          labels.push('unexpected malformed body')
        }
        cases.push({ op, label: labels.filter(Boolean).join(' '), url: path, init })
      }
      return cases
    }

    let tried = 0
    let retried = 0
    const failures: string[] = []
    const accepted = new Map<string, number>()
    const compared: string[] = []
    const notCompared: string[] = []

    for (const op of ops) {
      const cases = casesFor(op)
      if (op.path === WEBSOCKET_PATH) {
        // Without an upgrade every request is 426 before credentials are read: ask for one, and put
        // the credential where browsers must (the query), so the token checks are what is fuzzed.
        for (const c of cases) {
          const h = new Headers(c.init.headers)
          h.set('upgrade', 'websocket')
          const bearer = /^Bearer (.*)$/.exec(h.get('authorization') ?? '')
          if (bearer) c.url += `${c.url.includes('?') ? '&' : '?'}token=${encodeURIComponent(bearer[1]!)}`
          c.init = { ...c.init, headers: h }
        }
      }
      const before = await rowCounts()
      const results: Array<{ c: Case; status: number; body: unknown }> = []
      for (let i = 0; i < cases.length; i += CONCURRENCY) {
        await Promise.all(
          cases.slice(i, i + CONCURRENCY).map(async (c) => {
            let status: number
            let body: unknown
            for (let attempt = 0; ; attempt++) {
              try {
                const res = await SELF.fetch(`http://worker.test${c.url}`, c.init)
                status = res.status
                const text = await res.text()
                try {
                  body = JSON.parse(text)
                } catch {
                  body = text.slice(0, 200)
                }
              } catch (e) {
                status = -1
                body = String(e)
              }
              const busy = status === 503 && (body as any)?.error?.details?.dependency === 'postgres'
              if (!busy || attempt >= RETRIES_ON_POSTGRES_BUSY) break
              retried++
              await new Promise((resolve) => setTimeout(resolve, 250 * (attempt + 1)))
            }
            results.push({ c, status, body })
          }),
        )
      }
      tried += cases.length
      const key = `${op.method} ${op.path}`
      for (const { c, status, body } of results) {
        const where = `${key} [${c.label.slice(0, 160)}] -> ${status} ${JSON.stringify(body).slice(0, 200)}`
        if (status >= 500 || status < 0) failures.push(`5xx/crash: ${where}`)
        else if (status >= 400 && !isErrorShape(body)) failures.push(`4xx without the error shape: ${where}`)
        else if (c.expectStatus !== undefined && ![c.expectStatus].flat().includes(status))
          failures.push(`expected ${c.expectStatus}: ${where}`)
        if (status < 400 && status >= 0 && !refusedInBody(op, body)) accepted.set(key, (accepted.get(key) ?? 0) + 1)
      }
      if (accepted.has(key) && (op.method !== 'GET' || READS_THAT_WRITE.has(key))) {
        notCompared.push(`${key} (${accepted.get(key)} of ${cases.length} cases accepted)`)
      } else {
        const changed = diffCounts(before, await rowCounts())
        if (Object.keys(changed).length) failures.push(`state changed while every case of ${key} was refused: ${JSON.stringify(changed)}`)
        compared.push(key)
      }
    }

    console.log(
      `[fuzz] seed=${SEED} operations=${ops.length} cases=${tried} failures=${failures.length} retried-on-postgres-busy=${retried} ` +
        `state-compared=${compared.length} operations over ${TABLES.length} tables; ` +
        `writes with accepted cases (state not compared, not refused): ${notCompared.join('; ') || 'none'}; ` +
        `reads with accepted cases (state compared): ${[...accepted.keys()].filter((k) => compared.includes(k)).join('; ') || 'none'}; ` +
        `path parameters fuzzed with synthetic ids only: ${Object.entries(NO_FIXTURE_FOR)
          .map(([k, why]) => `${k} (${why})`)
          .join('; ')}`,
    )
    expect(failures.slice(0, 25), `${failures.length} failures`).toEqual([])
    countFigure('hostile cases tried', tried)
    countFigure('operations fuzzed', ops.length)
    expect(tried).toBeGreaterThan(1500)
  }, 240_000)
})
