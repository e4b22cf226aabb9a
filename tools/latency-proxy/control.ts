/**
 * The control endpoint of one or more latency proxies, for tests, benches and people:
 *   GET  /counters              {"postgres": {connections, roundTrips, statements, open, idleMs, delayMs}, ...}
 *   POST /reset                 zero every proxy's counters
 *   POST /delay {"ms": 10}      one-way delay for every proxy, or {"ms": 10, "proxy": "postgres"}
 */
import { listen, sendJson, type RunningServer } from '../shared/http-kit.ts'
import type { LatencyProxy } from './proxy.ts'

export async function startProxyControl(port: number, proxies: Record<string, LatencyProxy>): Promise<RunningServer> {
  return listen(port, (req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (req.method === 'GET' && path === '/counters') {
      const all = Object.fromEntries(Object.entries(proxies).map(([name, p]) => [name, { ...p.counters(), delayMs: p.delay() }]))
      return sendJson(res, 200, all)
    }
    if (req.method === 'POST' && path === '/reset') {
      for (const p of Object.values(proxies)) p.reset()
      return sendJson(res, 200, { reset: true })
    }
    if (req.method === 'POST' && path === '/delay') {
      const input = JSON.parse(body.toString() || '{}') as { ms?: unknown; proxy?: unknown }
      const ms = Number(input.ms)
      if (!Number.isFinite(ms) || ms < 0 || ms > 10_000) return sendJson(res, 400, { error: 'ms must be 0..10000' })
      const names = typeof input.proxy === 'string' ? [input.proxy] : Object.keys(proxies)
      if (names.some((n) => !proxies[n])) return sendJson(res, 404, { error: `no proxy ${String(input.proxy)}` })
      for (const n of names) proxies[n]!.setDelay(ms)
      return sendJson(res, 200, { delayMs: ms, proxies: names })
    }
    return sendJson(res, 404, { error: 'GET /counters, POST /reset or POST /delay' })
  })
}
