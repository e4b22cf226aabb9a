import { createMiddleware } from 'hono/factory'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { guarded } from '../dependency.ts'
import { toHex } from '../crypto/encoding.ts'
import type { AppEnv } from './app-env.ts'
import { DomainRefusal, HttpError } from './errors.ts'

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/
const TTL_SECONDS = 24 * 60 * 60

type Stored =
  | { state: 'in_flight'; fingerprint: string }
  | { state: 'done'; fingerprint: string; status: number; contentType: string; body: string }

/**
 * Idempotency-Key for unsafe writes (Stripe's semantics): the first request with a key runs and its
 * response is kept for 24 h; the same key with the same body replays it; with a different body is
 * 422; while the first is still running, 409. A 5xx or a crash frees the key so the client's retry
 * can run again. Keys are scoped per caller and route, so two users cannot collide. Redis being
 * unreachable fails closed (503): running without the guard could apply a payment twice.
 */
export const idempotency = (opts: { required?: boolean } = {}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header('idempotency-key')
    if (key === undefined) {
      if (opts.required) throw new HttpError(400, 'IDEMPOTENCY_KEY_REQUIRED', 'Send an Idempotency-Key header')
      return next()
    }
    if (!KEY_FORMAT.test(key)) {
      throw new HttpError(400, 'IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1-255 printable ASCII characters')
    }
    const redis = c.var.deps.redis
    const caller = c.var.principal?.userId ?? 'anonymous'
    const routePath = c.req.routePath
    const storeKey = `idem:${caller}:${c.req.method}:${routePath}:${key}`
    const fingerprint = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`)

    const claimed = await guarded('redis', () =>
      redis.set(storeKey, JSON.stringify({ state: 'in_flight', fingerprint } satisfies Stored), {
        nx: true,
        ex: TTL_SECONDS,
      }),
    )
    if (claimed === null) {
      const existing = await guarded('redis', () => redis.get<Stored>(storeKey))
      if (existing === null) throw new HttpError(409, 'IDEMPOTENCY_IN_FLIGHT', 'Retry: the key was just released')
      if (existing.fingerprint !== fingerprint) {
        throw new HttpError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request')
      }
      if (existing.state === 'in_flight') {
        throw new HttpError(409, 'IDEMPOTENCY_IN_FLIGHT', 'A request with this Idempotency-Key is still in progress')
      }
      return c.body(existing.body, existing.status as ContentfulStatusCode, {
        'content-type': existing.contentType,
        'idempotent-replayed': 'true',
      })
    }

    try {
      await next()
    } catch (e) {
      await redis.del(storeKey).catch(() => {})
      throw e
    }
    // A thrown refusal (route-kit's `refuse`) is the request's answer and is kept like a success.
    if (c.res.status >= 500 || (c.error && !(c.error instanceof DomainRefusal))) {
      await guarded('redis', () => redis.del(storeKey))
      return
    }
    const done: Stored = {
      state: 'done',
      fingerprint,
      status: c.res.status,
      contentType: c.res.headers.get('content-type') ?? 'application/json',
      body: await c.res.clone().text(),
    }
    await guarded('redis', () => redis.set(storeKey, JSON.stringify(done), { ex: TTL_SECONDS }))
  })

async function sha256Hex(s: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))))
}
