import { createRoute } from '@hono/zod-openapi'
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import { pingWithHeartbeat } from '../heartbeat.ts'
import { guard, json, routesOf } from './route-kit.ts'

const Check = z.object({ ok: z.boolean(), latency_ms: z.number(), error: z.string().optional() })
const HealthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.object({ database: Check, redis: Check }),
  scheduler: z.object({ last_heartbeat: z.string().nullable() }),
})

async function probe(fn: () => Promise<unknown>, timeoutMs = 3000): Promise<z.infer<typeof Check>> {
  const started = Date.now()
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)),
    ])
    return { ok: true, latency_ms: Date.now() - started }
  } catch (e) {
    return { ok: false, latency_ms: Date.now() - started, error: e instanceof Error ? e.message : String(e) }
  }
}

const health = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Database and Redis reachability, last scheduler heartbeat',
  tags: ['platform'],
  ...guard('none'),
  responses: {
    200: json(HealthResponse, 'All dependencies reachable'),
    503: json(HealthResponse, 'A dependency is unreachable'),
  },
})

/** Reachability of Postgres and Redis; 503 when either is down so load balancers notice. */
export const healthRoutes = routesOf().openapi(health, async (c) => {
  const { db, redis } = c.var.deps
  let beat: string | null = null
  const [database, redisCheck] = await Promise.all([
    probe(() => db.execute(sql`select 1`)),
    probe(async () => {
      beat = await pingWithHeartbeat(redis)
    }),
  ])
  const healthy = database.ok && redisCheck.ok
  const body: z.infer<typeof HealthResponse> = {
    status: healthy ? 'ok' : 'degraded',
    checks: { database, redis: redisCheck },
    scheduler: { last_heartbeat: beat },
  }
  return healthy ? c.json(body, 200) : c.json(body, 503)
})
