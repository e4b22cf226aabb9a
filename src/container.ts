import { Redis } from '@upstash/redis'
import type { CartDeps } from './carts/use-cases/cart-deps.ts'
import { DrizzleUserCartStore } from './carts/adapters/drizzle-user-cart-store.ts'
import { RedisGuestCartStore } from './carts/adapters/redis-guest-cart-store.ts'
import { DrizzleCatalogRepository } from './catalog/adapters/drizzle-catalog-repository.ts'
import { RedisCatalogCache } from './catalog/adapters/redis-catalog-cache.ts'
import type { VariantId } from './catalog/domain/variant.ts'
import type { CatalogDeps } from './catalog/use-cases/catalog-deps.ts'
import { DrizzleGiftRepository } from './gifts/adapters/drizzle-gift-repository.ts'
import { DrizzleSupplierAccountRepository, DrizzleSupplierRepository } from './gifts/adapters/drizzle-supplier-repositories.ts'
import { RedisPinLockout } from './gifts/adapters/redis-pin-lockout.ts'
import { PepperedPinHasher } from './gifts/adapters/peppered-pin-hasher.ts'
import { DrizzleRedemptionStore } from './gifts/adapters/drizzle-redemption-store.ts'
import type { GiftDeps } from './gifts/use-cases/gift-deps.ts'
import { DrizzleUserRepository } from './identity/adapters/drizzle-user-repository.ts'
import { JoseTokenIssuer } from './identity/adapters/jose-token-issuer.ts'
import { RedisLoginThrottle } from './identity/adapters/redis-login-throttle.ts'
import type { LogInDeps } from './identity/use-cases/log-in.ts'
import type { RegisterDeps } from './identity/use-cases/register-user.ts'
import { PostgresInventoryLock } from './inventory/adapters/postgres-inventory-lock.ts'
import { PostgresReservationSweeper } from './inventory/adapters/postgres-reservation-sweeper.ts'
import { RedisReservationCache } from './inventory/adapters/redis-reservation-cache.ts'
import type { InventoryLock } from './inventory/ports.ts'
import { DrizzleOrderRepository } from './orders/adapters/drizzle-order-repository.ts'
import { LockedOrderPlacement } from './orders/adapters/locked-order-placement.ts'
import { PostgresOrderPlacement } from './orders/adapters/postgres-order-placement.ts'
import type { OrderDeps } from './orders/use-cases/order-deps.ts'
import { DrizzleEmailSender } from './payments/adapters/drizzle-email-sender.ts'
import { DrizzleOutboxRelay } from './payments/adapters/drizzle-outbox-relay.ts'
import { DrizzlePaymentStore } from './payments/adapters/drizzle-payment-store.ts'
import { DrizzleWebhookInbox } from './payments/adapters/drizzle-webhook-inbox.ts'
import { PaystackGateway } from './payments/adapters/paystack-gateway.ts'
import { RedisPaymentIntentCache } from './payments/adapters/redis-payment-intent-cache.ts'
import type { PaymentDeps } from './payments/use-cases/payment-deps.ts'
import { DrizzleCashbackRepository } from './loyalty/adapters/drizzle-cashback-repository.ts'
import { DrizzleHistoryRepository } from './loyalty/adapters/drizzle-history-repository.ts'
import { DrizzleLinkRepository } from './loyalty/adapters/drizzle-link-repository.ts'
import { DrizzlePointsLedger } from './loyalty/adapters/drizzle-points-ledger.ts'
import { DrizzleReversalRepository } from './loyalty/adapters/drizzle-reversal-repository.ts'
import { PayPayOpaClient } from './loyalty/adapters/paypay-client.ts'
import { RedisRateGate } from './loyalty/adapters/redis-rate-gate.ts'
import { DEFAULT_LOYALTY_SETTINGS, type LoyaltyDeps } from './loyalty/use-cases/loyalty-deps.ts'
import { DrizzleAuctionRepository } from './bookings/adapters/drizzle-auction-repository.ts'
import { DrizzleBookingRepository } from './bookings/adapters/drizzle-booking-repository.ts'
import { DrizzlePaymentSessionRepository } from './bookings/adapters/drizzle-payment-session-repository.ts'
import { DrizzlePropertyRepository } from './bookings/adapters/drizzle-property-repository.ts'
import { DrizzleRefundRepository } from './bookings/adapters/drizzle-refund-repository.ts'
import { LogEmailSender } from './bookings/adapters/log-email-sender.ts'
import { ZaloPayGateway } from './bookings/adapters/zalopay-gateway.ts'
import type { BookingDeps } from './bookings/use-cases/deps.ts'
import { InProcessHub } from './realtime/adapters/in-process-hub.ts'
import type { RealtimeDeps } from './realtime/http.ts'
import { createTokenVerifier, type TokenVerifier } from './platform/auth.ts'
import type { Config } from './platform/config.ts'
import { Pbkdf2Hasher } from './platform/crypto/pbkdf2-hasher.ts'
import type { Db } from './platform/db.ts'
import type { Logger } from './platform/logger.ts'
import { PostgresObjectStore } from './platform/postgres-object-store.ts'
import { QStashJobQueue } from './platform/qstash-queue.ts'
import { systemClock, type Clock } from './shared/clock.ts'
import type { JobQueue } from './shared/jobs.ts'
import { QStashDeadLetterQueue } from './operations/adapters/qstash-dead-letter-queue.ts'
import type { OperationsDeps } from './operations/ports.ts'
import type { ObjectStore } from './shared/object-store.ts'
import { DrizzleAcknowledgementStore } from './reconciliation/adapters/drizzle-acknowledgement-store.ts'
import { DrizzleReconciliationRecords } from './reconciliation/adapters/drizzle-reconciliation-records.ts'
import { ObjectStoreReportStore } from './reconciliation/adapters/object-store-report-store.ts'
import type { ReconciliationDeps } from './reconciliation/ports.ts'

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
  /** Generated files (invoices, history files): R2 on Workers, Postgres elsewhere. */
  readonly files: ObjectStore
  readonly gifts: GiftDeps
  readonly commerce: CommerceDeps
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

export interface CommerceDeps {
  readonly catalog: CatalogDeps
  readonly identity: RegisterDeps & LogInDeps
  readonly carts: CartDeps
  readonly orders: OrderDeps
  /** Tells the inventory lock that stock moved outside it (restock), so it re-reads. */
  onStockChanged(variantId: VariantId): Promise<void>
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

const hasher = new Pbkdf2Hasher()
const verifiers = new WeakMap<Config, TokenVerifier>()

export function buildDeps(input: {
  config: Config
  db: Db
  redis: Redis
  logger: Logger
  clock?: Clock
  runtime?: RuntimeAdapters
}): Deps {
  const { config, db, redis, logger } = input
  const clock = input.clock ?? systemClock
  let verifyToken = verifiers.get(config)
  if (!verifyToken) verifiers.set(config, (verifyToken = createTokenVerifier(config)))
  const queue = new QStashJobQueue({ baseUrl: config.QSTASH_URL, token: config.QSTASH_TOKEN }, config.PUBLIC_BASE_URL)
  const files = input.runtime?.files ?? new PostgresObjectStore(db)
  const commerce = buildCommerce(config, db, redis, logger, clock, input.runtime ?? {})
  const realtime = input.runtime?.realtime ?? defaultRealtime
  const payments = buildPayments(config, db, redis, logger, clock, commerce, queue, files)
  const loyalty = buildLoyalty(config, db, redis, logger, clock, queue, files)
  const bookings = buildBookings(config, db, logger, clock, queue, realtime)
  return {
    config,
    logger,
    clock,
    db,
    redis,
    queue,
    verifyToken,
    files,
    gifts: {
      gifts: new DrizzleGiftRepository(db),
      redemptions: new DrizzleRedemptionStore(db),
      suppliers: new DrizzleSupplierRepository(db),
      accounts: new DrizzleSupplierAccountRepository(db),
      pins: config.GIFT_PIN_PEPPER ? new PepperedPinHasher(config.GIFT_PIN_PEPPER) : null,
      lockout: new RedisPinLockout(redis),
      clock,
    },
    commerce,
    payments,
    loyalty,
    bookings,
    // The gateways' read methods, the same client instances the contexts use.
    reconciliation: {
      records: new DrizzleReconciliationRecords(db),
      reports: new ObjectStoreReportStore(files),
      acknowledgements: new DrizzleAcknowledgementStore(db),
      paystack: payments?.gateway ?? null,
      zalopay: bookings.gateway,
      paypay: loyalty.paypay,
      clock,
      logger: logger.child({ component: 'reconciliation' }),
      // Bounded: at most ~600 gateway calls per report (Workers Paid allows 10,000 subrequests per
      // request; the `limit` query asks for more when needed).
      settings: { windowMs: 24 * 3600_000, pageSize: 100, concurrency: 4 },
    },
    realtime,
    operations: { deadLetters: new QStashDeadLetterQueue({ baseUrl: config.QSTASH_URL, token: config.QSTASH_TOKEN }) },
  }
}

function buildLoyalty(config: Config, db: Db, redis: Redis, logger: Logger, clock: Clock, queue: JobQueue, files: ObjectStore): LoyaltyDeps {
  const { PAYPAY_API_KEY: apiKey, PAYPAY_API_SECRET: apiSecret, PAYPAY_MERCHANT_ID: merchantId } = config
  const paypay =
    apiKey && apiSecret && merchantId
      ? new PayPayOpaClient({
          baseUrl: config.PAYPAY_API_URL,
          apiKey,
          apiSecret,
          merchantId,
          timeoutMs: config.PAYPAY_TIMEOUT_MS,
          gate: new RedisRateGate(redis, config.PAYPAY_RATE_LIMIT_PER_SECOND),
          logger,
        })
      : null
  return {
    ledger: new DrizzlePointsLedger(db),
    links: new DrizzleLinkRepository(db),
    cashbacks: new DrizzleCashbackRepository(db),
    reversals: new DrizzleReversalRepository(db),
    history: new DrizzleHistoryRepository(db),
    paypay,
    queue,
    files,
    clock,
    logger,
    settings: {
      ...DEFAULT_LOYALTY_SETTINGS,
      linkRedirectUrl: config.PAYPAY_LINK_REDIRECT_URL ?? `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/api/v1/paypay/sessions/callback`,
      leaseMs: config.PAYPAY_TIMEOUT_MS * 2 + 10_000,
    },
  }
}

function buildPayments(
  config: Config,
  db: Db,
  redis: Redis,
  logger: Logger,
  clock: Clock,
  commerce: CommerceDeps,
  queue: JobQueue,
  files: ObjectStore,
): PaymentDeps | null {
  if (!config.PAYSTACK_SECRET_KEY) return null
  return {
    store: new DrizzlePaymentStore(db),
    gateway: new PaystackGateway(config.PAYSTACK_API_URL, config.PAYSTACK_SECRET_KEY, config.PAYSTACK_TIMEOUT_MS),
    inbox: new DrizzleWebhookInbox(db),
    outbox: new DrizzleOutboxRelay(db, queue, logger),
    intents: new RedisPaymentIntentCache(redis, logger),
    reservationCache: commerce.orders.reservationCache,
    orders: commerce.orders.orders,
    emails: new DrizzleEmailSender(db),
    files,
    clock,
    logger,
    callbackUrl: config.PAYSTACK_CALLBACK_URL ?? `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/payments/return`,
    intentTtlSeconds: 20 * 60,
  }
}

function buildCommerce(config: Config, db: Db, redis: Redis, logger: Logger, clock: Clock, runtime: RuntimeAdapters): CommerceDeps {
  const catalog = new DrizzleCatalogRepository(db)
  const userCarts = new DrizzleUserCartStore(db)
  const lock =
    config.INVENTORY_LOCK === 'durable-object' && runtime.inventoryLock ? runtime.inventoryLock(db) : new PostgresInventoryLock(db)
  return {
    catalog: { catalog, cache: new RedisCatalogCache(redis, logger), clock },
    identity: {
      users: new DrizzleUserRepository(db),
      passwords: hasher,
      throttle: new RedisLoginThrottle(redis),
      tokens: config.AUTH_HS256_SECRET
        ? new JoseTokenIssuer(config.AUTH_HS256_SECRET, config.AUTH_ISSUER, config.AUTH_AUDIENCE)
        : null,
      clock,
    },
    carts: { guests: new RedisGuestCartStore(redis), users: userCarts, catalog, clock },
    orders: {
      orders: new DrizzleOrderRepository(db),
      // The Postgres lock reserves inside the one placement statement; any other lock (the
      // variants' Durable Objects) reserves between a read and the write.
      placement: lock instanceof PostgresInventoryLock ? new PostgresOrderPlacement(db) : new LockedOrderPlacement(db, lock),
      inventory: lock,
      sweeper: new PostgresReservationSweeper(db),
      reservationCache: new RedisReservationCache(redis, logger),
      clock,
      logger,
      reservationTtlMs: config.RESERVATION_TTL_SECONDS * 1000,
    },
    onStockChanged: async (variantId) => {
      if ('onStockChanged' in lock && typeof lock.onStockChanged === 'function') await lock.onStockChanged(variantId)
    },
  }
}

/** Without a runtime hub (tests, tools): one in-process hub, no sockets served. */
const defaultRealtime: RealtimeDeps = { events: new InProcessHub(), sockets: null }

function buildBookings(config: Config, db: Db, logger: Logger, clock: Clock, queue: JobQueue, realtime: RealtimeDeps): BookingDeps {
  const { ZALOPAY_APP_ID: appId, ZALOPAY_KEY1: key1, ZALOPAY_KEY2: key2 } = config
  return {
    properties: new DrizzlePropertyRepository(db),
    auctions: new DrizzleAuctionRepository(db),
    sessions: new DrizzlePaymentSessionRepository(db),
    bookings: new DrizzleBookingRepository(db),
    refunds: new DrizzleRefundRepository(db),
    gateway: appId && key1 && key2 ? new ZaloPayGateway({ appId, key1, key2, apiUrl: config.ZALOPAY_API_URL }) : null,
    events: realtime.events,
    queue,
    mailer: new LogEmailSender(logger.child({ component: 'mailer' })),
    clock,
    logger,
    settings: {
      callbackUrl: `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/api/v1/payment/zalopay/callback`,
      frontendBaseUrl: config.FRONTEND_BASE_URL,
      sessionTtlMs: 15 * 60_000,
      reconcileAfterMs: 60_000,
    },
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
  }
}
