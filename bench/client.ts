/**
 * The HTTP side the benches share: a small JSON client for one base URL, an outcome label per
 * answer (status, and for an error its stable code, so a table says which 503 it was), and a
 * bounded parallel map for preparation work (never measured).
 */

/** No request waits longer (a hung server must not hold a bounded bench past its bounds). */
export const REQUEST_TIMEOUT_MS = 30_000

export interface BenchClient {
  readonly base: string
  api(method: string, path: string, opts?: RequestOptions): Promise<{ status: number; body: any }>
  /** As `api`, but a status outside `expected` throws (preparation must not go on half-done). */
  must(method: string, path: string, opts?: RequestOptions, expected?: number[]): Promise<any>
  /** POSTs a raw body and answers with the outcome label (for load tasks). */
  post(path: string, body: string, headers?: Record<string, string>): Promise<string>
}

export interface RequestOptions {
  token?: string
  body?: unknown
  headers?: Record<string, string>
}

export function benchClient(base: string): BenchClient {
  const api = async (method: string, path: string, opts: RequestOptions = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(opts.token && { authorization: `Bearer ${opts.token}` }),
        ...(opts.body !== undefined && { 'content-type': 'application/json' }),
        ...opts.headers,
      },
      ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    const text = await res.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // not JSON
    }
    return { status: res.status, body: body as any }
  }
  return {
    base,
    api,
    async must(method, path, opts, expected = [200, 201]) {
      const r = await api(method, path, opts)
      if (!expected.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`)
      return r.body
    },
    post: (path, body, headers = {}) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      }).then(outcomeOf),
  }
}

/** The status, and for an error its stable code (e.g. `503 DEPENDENCY_UNAVAILABLE(postgres)`). */
export async function outcomeOf(res: Response): Promise<string> {
  const text = await res.text()
  if (res.status < 400) return String(res.status)
  let code = ''
  try {
    const error = (JSON.parse(text) as { error?: { code?: string; details?: { dependency?: string } } }).error
    code = `${error?.code ?? ''}${error?.details?.dependency ? `(${error.details.dependency})` : ''}`
  } catch {
    // not JSON
  }
  return code ? `${res.status} ${code}` : String(res.status)
}

/** Runs `fn` over 0..n-1 with `k` at a time (setup only; not measured). */
export async function parallel<T>(n: number, k: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n)
  let next = 0
  await Promise.all(
    Array.from({ length: k }, async () => {
      while (next < n) {
        const i = next++
        out[i] = await fn(i)
      }
    }),
  )
  return out
}
