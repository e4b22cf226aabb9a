import { env, SELF } from 'cloudflare:test'
import { SignJWT } from 'jose'

/** Helpers for driving the Worker under test through `SELF.fetch`, as a real client would. */
const secret = () => new TextEncoder().encode((env as unknown as Record<string, string>)['AUTH_HS256_SECRET'])

export async function token(sub: string, roles: string[] = [], opts: { issuer?: string; expiresIn?: string } = {}) {
  const e = env as unknown as Record<string, string>
  return new SignJWT({ roles })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(opts.issuer ?? e['AUTH_ISSUER']!)
    .setAudience(e['AUTH_AUDIENCE']!)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '10m')
    .sign(secret())
}

export const adminToken = () => token('admin-1', ['admin'])

export async function call(
  method: string,
  path: string,
  opts: { body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`
  let body: string | undefined
  if (opts.rawBody !== undefined) body = opts.rawBody
  else if (opts.body !== undefined) body = JSON.stringify(opts.body)
  if (body !== undefined) headers['content-type'] ??= 'application/json'
  const res = await SELF.fetch(`http://worker.test${path}`, { method, headers, ...(body !== undefined && { body }) })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // Not JSON (e.g. the docs page): keep the text.
  }
  return { status: res.status, headers: res.headers, body: parsed }
}

/** A short random suffix so tests sharing one database never collide. */
export const uniq = () => crypto.randomUUID().slice(0, 8).toUpperCase()
