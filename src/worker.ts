/**
 * Cloudflare Workers entry. Postgres is reached through the Hyperdrive binding; a postgres.js pool
 * is opened per request because a Worker's sockets belong to the request that opened them
 * (Hyperdrive keeps the real connections warm, so this costs no handshake to the database). The
 * pool is not ended explicitly: the runtime closes a request's sockets when it finishes, while
 * postgres.js's end() leaves an unhandled rejection from its socket polyfill's pending read.
 */
import { createApp } from './app.ts'
import { DurableObjectInventoryLock } from './inventory/adapters/durable-object-inventory-lock.ts'
import { buildDeps, createRedis } from './container.ts'
import { loadConfig, type Config } from './platform/config.ts'
import { connectDb } from './platform/db.ts'
import { createLogger } from './platform/logger.ts'
import { R2ObjectStore } from './platform/r2-object-store.ts'
import { DurableObjectUserEvents } from './realtime/adapters/durable-object-user-events.ts'
import type { Redis } from '@upstash/redis'

const perIsolate = new WeakMap<Env, { config: Config; redis: Redis }>()

function isolateState(env: Env) {
  let state = perIsolate.get(env)
  if (!state) {
    const config = loadConfig({ ...env, DATABASE_URL: env.HYPERDRIVE.connectionString })
    state = { config, redis: createRedis(config) }
    perIsolate.set(env, state)
  }
  return state
}

const app = createApp((c) => {
  const env = c.env as Env
  const { config, redis } = isolateState(env)
  const handle = connectDb(env.HYPERDRIVE.connectionString, { max: 5 })
  const logger = createLogger(config.LOG_LEVEL, { runtime: 'workerd' })
  return {
    deps: buildDeps({
      config,
      db: handle.db,
      redis,
      logger,
      runtime: {
        inventoryLock: (db) => new DurableObjectInventoryLock(env.VARIANT_STOCK, db, config.INVENTORY_DO_LOCATION_HINT),
        files: new R2ObjectStore(env.FILES),
        realtime: userEvents(env),
      },
    }),
    // Deferred work (c.var.defer) runs after the answer; the runtime keeps the request alive for it.
    keepAlive: (work) => c.executionCtx.waitUntil(work),
  }
})

export { VariantStockObject } from './inventory/adapters/variant-stock-object.ts'
export { UserEventsObject } from './realtime/adapters/user-events-object.ts'

/** Each user's events and sockets live in that user's Durable Object (hibernating WebSockets). */
function userEvents(env: Env) {
  const hub = new DurableObjectUserEvents(env.USER_EVENTS)
  return { events: hub, sockets: hub }
}

export default app satisfies ExportedHandler<Env>
