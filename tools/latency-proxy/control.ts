/**
 * The control endpoint of one or more latency proxies, for tests, benches and people:
 *   GET  /counters              {"postgres": {connections, roundTrips, statements, open, idleMs, delayMs}, ...}
 *   POST /reset                 zero every proxy's counters
 *   POST /delay {"ms": 10}      one-way delay for every proxy, or {"ms": 10, "proxy": "postgres"}
 */
import { Hono } from 'hono'
import { type NodeEnv, type RunningServer, serveApp } from '../shared/http-kit.ts'
import type { LatencyProxy } from './proxy.ts'

export async function startProxyControl(port: number, proxies: Record<string, LatencyProxy>): Promise<RunningServer> {
  const app = new Hono<NodeEnv>()
    .get('/counters', (c) =>
      c.json(Object.fromEntries(Object.entries(proxies).map(([name, p]) => [name, { ...p.counters(), delayMs: p.delay() }]))),
    )
    .post('/reset', (c) => {
      for (const p of Object.values(proxies)) p.reset()
      return c.json({ reset: true })
    })
    .post('/delay', async (c) => {
      const input = JSON.parse((await c.req.text()) || '{}') as { ms?: unknown; proxy?: unknown }
      const ms = Number(input.ms)
      if (!Number.isFinite(ms) || ms < 0 || ms > 10_000) return c.json({ error: 'ms must be 0..10000' }, 400)
      const names = typeof input.proxy === 'string' ? [input.proxy] : Object.keys(proxies)
      if (names.some((n) => !proxies[n])) return c.json({ error: `no proxy ${String(input.proxy)}` }, 404)
      for (const n of names) proxies[n]!.setDelay(ms)
      return c.json({ delayMs: ms, proxies: names })
    })
    .all('*', (c) => c.json({ error: 'GET /counters, POST /reset or POST /delay' }, 404))
  return serveApp(port, app)
}
