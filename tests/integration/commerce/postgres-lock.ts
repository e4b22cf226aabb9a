import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import worker from '../../../src/worker.ts'

/**
 * The Worker with INVENTORY_LOCK=postgres (the Deno entry's lock) instead of wrangler.toml's
 * Durable Objects: the same app, entered with an env whose lock setting differs. One env object,
 * so the Worker's per-env state (config, Redis client) is built once.
 */
const postgresLockEnv = { ...(env as unknown as Env), INVENTORY_LOCK: 'postgres' }

export async function callWithPostgresLock(
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`
  if (opts.body !== undefined) headers['content-type'] ??= 'application/json'
  const ctx = createExecutionContext()
  const req = new Request(`http://worker.test${path}`, {
    method,
    headers,
    ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
  })
  const res = await worker.fetch(req as Request<unknown, IncomingRequestCfProperties>, postgresLockEnv, ctx)
  const text = await res.text()
  await waitOnExecutionContext(ctx)
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // Not JSON: keep the text.
  }
  return { status: res.status, headers: res.headers, body }
}
