import type { Deps } from '../container.ts'
import { DrizzleAuctionRepository } from './adapters/drizzle-auction-repository.ts'
import { DrizzleBookingRepository } from './adapters/drizzle-booking-repository.ts'
import { DrizzlePaymentSessionRepository } from './adapters/drizzle-payment-session-repository.ts'
import { DrizzlePropertyRepository } from './adapters/drizzle-property-repository.ts'
import { DrizzleRefundRepository } from './adapters/drizzle-refund-repository.ts'
import { LogEmailSender } from './adapters/log-email-sender.ts'
import { ZaloPayGateway } from './adapters/zalopay-gateway.ts'
import type { BookingDeps } from './deps.ts'

/** The bookings context's adapters; events go to the realtime context's hub. */
export function wireBookings(deps: Deps): BookingDeps {
  const { config, db, logger, clock, queue } = deps
  const { ZALOPAY_APP_ID: appId, ZALOPAY_KEY1: key1, ZALOPAY_KEY2: key2 } = config
  return {
    properties: new DrizzlePropertyRepository(db),
    auctions: new DrizzleAuctionRepository(db),
    sessions: new DrizzlePaymentSessionRepository(db),
    bookings: new DrizzleBookingRepository(db),
    refunds: new DrizzleRefundRepository(db),
    gateway: appId && key1 && key2 ? new ZaloPayGateway({ appId, key1, key2, apiUrl: config.ZALOPAY_API_URL }) : null,
    events: deps.realtime.events,
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
