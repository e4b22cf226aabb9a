import type { Deps } from '../container.ts'
import { DrizzleEmailSender } from './adapters/drizzle-email-sender.ts'
import { DrizzleOutboxRelay } from './adapters/drizzle-outbox-relay.ts'
import { DrizzlePaymentStore } from './adapters/drizzle-payment-store.ts'
import { DrizzleWebhookInbox } from './adapters/drizzle-webhook-inbox.ts'
import { PaystackGateway } from './adapters/paystack-gateway.ts'
import { RedisPaymentIntentCache } from './adapters/redis-payment-intent-cache.ts'
import type { PaymentDeps } from './deps.ts'

/** The payments context's adapters (null without PAYSTACK_SECRET_KEY); orders are read through the orders context. */
export function wirePayments(deps: Deps): PaymentDeps | null {
  const { config, db, redis, logger, clock, queue, files } = deps
  if (!config.PAYSTACK_SECRET_KEY) return null
  return {
    store: new DrizzlePaymentStore(db),
    gateway: new PaystackGateway(config.PAYSTACK_API_URL, config.PAYSTACK_SECRET_KEY, config.PAYSTACK_TIMEOUT_MS),
    inbox: new DrizzleWebhookInbox(db),
    outbox: new DrizzleOutboxRelay(db, queue, logger),
    intents: new RedisPaymentIntentCache(redis, logger),
    reservationCache: deps.inventory.reservationCache,
    orders: deps.orders.orders,
    emails: new DrizzleEmailSender(db),
    files,
    clock,
    logger,
    callbackUrl: config.PAYSTACK_CALLBACK_URL ?? `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/payments/return`,
    intentTtlSeconds: 20 * 60,
  }
}
