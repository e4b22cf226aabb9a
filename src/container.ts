import { Redis } from '@upstash/redis'
import { DrizzleGiftRepository } from './gifts/adapters/drizzle-gift-repository.ts'
import { DrizzleSupplierAccountRepository, DrizzleSupplierRepository } from './gifts/adapters/drizzle-supplier-repositories.ts'
import { RedisPinLockout } from './gifts/adapters/redis-pin-lockout.ts'
import type { RedeemGiftDeps } from './gifts/use-cases/redeem-gift.ts'
import { createTokenVerifier, type TokenVerifier } from './platform/auth.ts'
import type { Config } from './platform/config.ts'
import { Pbkdf2Hasher } from './platform/crypto/pbkdf2-hasher.ts'
import type { Db } from './platform/db.ts'
import type { Logger } from './platform/logger.ts'
import { QStashJobQueue } from './platform/qstash-queue.ts'
import { systemClock, type Clock } from './shared/clock.ts'
import type { JobQueue } from './shared/jobs.ts'

/**
 * The dependency container: the only place (with the runtime entries) that knows which adapter
 * implements which port. Entries build one per request (the Worker: its DB socket belongs to the
 * request) or once (Deno), and the app reads it from `c.var.deps`.
 */
export interface Deps {
  readonly config: Config
  readonly logger: Logger
  readonly clock: Clock
  readonly db: Db
  readonly redis: Redis
  readonly queue: JobQueue
  readonly verifyToken: TokenVerifier
  readonly gifts: RedeemGiftDeps
}

export function createRedis(config: Config): Redis {
  return new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    enableTelemetry: false,
  })
}

const pins = new Pbkdf2Hasher()
const verifiers = new WeakMap<Config, TokenVerifier>()

export function buildDeps(input: { config: Config; db: Db; redis: Redis; logger: Logger; clock?: Clock }): Deps {
  const { config, db, redis, logger } = input
  const clock = input.clock ?? systemClock
  let verifyToken = verifiers.get(config)
  if (!verifyToken) verifiers.set(config, (verifyToken = createTokenVerifier(config)))
  return {
    config,
    logger,
    clock,
    db,
    redis,
    queue: new QStashJobQueue({ baseUrl: config.QSTASH_URL, token: config.QSTASH_TOKEN }, config.PUBLIC_BASE_URL),
    verifyToken,
    gifts: {
      gifts: new DrizzleGiftRepository(db),
      suppliers: new DrizzleSupplierRepository(db),
      accounts: new DrizzleSupplierAccountRepository(db),
      pins,
      lockout: new RedisPinLockout(redis),
      clock,
    },
  }
}
