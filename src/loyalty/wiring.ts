import type { Deps } from '../container.ts'
import { DrizzleCashbackRepository } from './adapters/drizzle-cashback-repository.ts'
import { DrizzleHistoryRepository } from './adapters/drizzle-history-repository.ts'
import { DrizzleLinkRepository } from './adapters/drizzle-link-repository.ts'
import { DrizzlePointsLedger } from './adapters/drizzle-points-ledger.ts'
import { DrizzleReversalRepository } from './adapters/drizzle-reversal-repository.ts'
import { PayPayOpaClient } from './adapters/paypay-client.ts'
import { RedisRateGate } from './adapters/redis-rate-gate.ts'
import { DEFAULT_LOYALTY_SETTINGS, type LoyaltyDeps } from './deps.ts'

/** The loyalty context's adapters; the PayPay client only when its three credentials are set. */
export function wireLoyalty({ config, db, redis, logger, clock, queue, files }: Deps): LoyaltyDeps {
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
