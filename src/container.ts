import { Redis } from '@upstash/redis'
import { wireBookings } from './bookings/wiring.ts'
import type { BookingDeps } from './bookings/deps.ts'
import { wireCarts } from './carts/wiring.ts'
import type { CartDeps } from './carts/deps.ts'
import { wireCatalog } from './catalog/wiring.ts'
import type { CatalogDeps } from './catalog/deps.ts'
import type { VariantId } from './catalog/domain/variant.ts'
import { wireGifts } from './gifts/wiring.ts'
import type { GiftDeps } from './gifts/deps.ts'
import { wireIdentity } from './identity/wiring.ts'
import type { IdentityDeps } from './identity/deps.ts'
import { wireInventory } from './inventory/wiring.ts'
import type { InventoryDeps } from './inventory/deps.ts'
import type { InventoryLock } from './inventory/ports.ts'
import { wireLoyalty } from './loyalty/wiring.ts'
import type { LoyaltyDeps } from './loyalty/deps.ts'
import { wireOperations } from './operations/wiring.ts'
import type { OperationsDeps } from './operations/deps.ts'
import { wireOrders } from './orders/wiring.ts'
import type { OrderDeps } from './orders/deps.ts'
import { wirePayments } from './payments/wiring.ts'
import type { PaymentDeps } from './payments/deps.ts'
import { wireRealtime } from './realtime/wiring.ts'
import type { RealtimeDeps } from './realtime/deps.ts'
import { wireReconciliation } from './reconciliation/wiring.ts'
import type { ReconciliationDeps } from './reconciliation/deps.ts'
import { createTokenVerifier, type TokenVerifier } from './platform/auth.ts'
import type { Config } from './platform/config.ts'
import type { Db } from './platform/db.ts'
import type { Logger } from './platform/logger.ts'
import { PostgresObjectStore } from './platform/postgres-object-store.ts'
import { QStashJobQueue } from './platform/qstash-queue.ts'
import { systemClock, type Clock } from './shared/clock.ts'
import type { JobQueue } from './shared/jobs.ts'
import type { ObjectStore } from './shared/object-store.ts'

/**
 * The dependency container: the only place (with the runtime entries and each context's
 * wiring.ts) that knows which adapter implements which port. Entries build one per request (the
 * Worker: its DB socket belongs to the request) or once (Deno), and the app reads it from
 * `c.var.deps`. It is the platform's pieces (cheap, built at once) plus one lazy property per
 * context: a context's adapters are built the first time a route or job of that context reads
 * it, once per container. Each context's dependency type and job names live in its deps.ts.
 */
export interface Platform {
  readonly config: Config
  readonly logger: Logger
  readonly clock: Clock
  readonly db: Db
  readonly redis: Redis
  readonly queue: JobQueue
  readonly verifyToken: TokenVerifier
  /** Generated files (invoices, history files): R2 on Workers, Postgres elsewhere. */
  readonly files: ObjectStore
  /** What the runtime entry contributes (Durable Objects, R2, its socket hub). */
  readonly runtime: RuntimeAdapters
}

export interface Deps extends Platform {
  readonly gifts: GiftDeps
  readonly identity: IdentityDeps
  readonly catalog: CatalogDeps
  readonly carts: CartDeps
  readonly inventory: InventoryDeps
  readonly orders: OrderDeps
  /** Null when Paystack is not configured (PAYSTACK_SECRET_KEY unset). */
  readonly payments: PaymentDeps | null
  /** Points and PayPay cashback; `loyalty.paypay` is null when PayPay is not configured. */
  readonly loyalty: LoyaltyDeps
  /** Auction bookings paid with ZaloPay (seed 003). */
  readonly bookings: BookingDeps
  /** Per-user event streams and the WebSocket hub. */
  readonly realtime: RealtimeDeps
  /** The reconciliation report: our records against the gateways and each other. */
  readonly reconciliation: ReconciliationDeps
  /** Operations: QStash's dead-letter queue for the admin endpoints. */
  readonly operations: OperationsDeps
}

type ContextName = Exclude<keyof Deps, keyof Platform>

/** How each context is built: from the platform and, through it, the other contexts it uses. */
const WIRING: { readonly [K in ContextName]: (deps: Deps) => Deps[K] } = {
  gifts: wireGifts,
  identity: wireIdentity,
  catalog: wireCatalog,
  carts: wireCarts,
  inventory: wireInventory,
  orders: wireOrders,
  payments: wirePayments,
  loyalty: wireLoyalty,
  bookings: wireBookings,
  realtime: wireRealtime,
  reconciliation: wireReconciliation,
  operations: wireOperations,
}

/** What a runtime entry contributes: the inventory lock it can offer (Durable Objects or not). */
export interface RuntimeAdapters {
  readonly inventoryLock?: (db: Db) => InventoryLock & { onStockChanged?(variantId: VariantId): Promise<void> }
  readonly files?: ObjectStore
  /** The user event hub: a Durable Object per user (Workers) or the in-process hub (Deno). */
  readonly realtime?: RealtimeDeps
}

export function createRedis(config: Config): Redis {
  return new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    enableTelemetry: false,
  })
}

const verifiers = new WeakMap<Config, TokenVerifier>()

export function buildDeps(input: { config: Config; db: Db; redis: Redis; logger: Logger; clock?: Clock; runtime?: RuntimeAdapters }): Deps {
  const { config, db, redis, logger } = input
  let verifyToken = verifiers.get(config)
  if (!verifyToken) verifiers.set(config, (verifyToken = createTokenVerifier(config)))
  const deps = {
    config,
    logger,
    clock: input.clock ?? systemClock,
    db,
    redis,
    verifyToken,
    files: input.runtime?.files ?? new PostgresObjectStore(db),
    runtime: input.runtime ?? {},
  } as Platform as Deps
  // The QStash client is the one platform piece with a real constructor: built on first use too.
  memoised(deps, 'queue', () => new QStashJobQueue({ baseUrl: config.QSTASH_URL, token: config.QSTASH_TOKEN }, config.PUBLIC_BASE_URL))
  for (const name of Object.keys(WIRING) as ContextName[]) memoised(deps, name, () => WIRING[name](deps))
  return deps
}

/** A property computed on first read, then kept as a plain value (null included). */
function memoised<K extends keyof Deps>(deps: Deps, name: K, build: () => Deps[K]): void {
  Object.defineProperty(deps, name, {
    configurable: true,
    enumerable: true,
    get() {
      const value = build()
      Object.defineProperty(deps, name, { value, enumerable: true })
      return value
    },
  })
}
