import type { UserEventStream } from '../realtime/ports.ts'
import type { Clock } from '../shared/clock.ts'
import type { JobQueue } from '../shared/jobs.ts'
import type { Logger } from '../shared/logger.ts'
import type {
  AuctionRepository,
  BookingRepository,
  EmailSender,
  PaymentGateway,
  PaymentSessionRepository,
  PropertyRepository,
  RefundRepository,
} from './ports.ts'

export interface BookingSettings {
  /** Where ZaloPay sends callbacks: `{PUBLIC_BASE_URL}/api/v1/payment/zalopay/callback`. */
  readonly callbackUrl: string
  /** The front end: users land on `{frontendBaseUrl}/dashboard/payment/zalopay/{sessionId}`. */
  readonly frontendBaseUrl: string
  /** How long a ZaloPay order stays payable (its expire_duration_seconds); 15 minutes by default. */
  readonly sessionTtlMs: number
  /** An open session older than this is checked with ZaloPay's query API by the scheduled job. */
  readonly reconcileAfterMs: number
}

export interface BookingDeps {
  readonly properties: PropertyRepository
  readonly auctions: AuctionRepository
  readonly sessions: PaymentSessionRepository
  readonly bookings: BookingRepository
  readonly refunds: RefundRepository
  /** Null when ZaloPay is not configured: paying answers GATEWAY_NOT_CONFIGURED. */
  readonly gateway: PaymentGateway | null
  readonly events: UserEventStream
  readonly queue: JobQueue
  readonly mailer: EmailSender
  readonly clock: Clock
  readonly logger: Logger
  readonly settings: BookingSettings
  /** Random bytes (Web Crypto in every runtime); a port so tests can pin reference numbers. */
  readonly random: (n: number) => Uint8Array
}

/** Job names of this context (handled at POST /jobs/{name}). */
export const BOOKING_JOBS = {
  createBooking: 'bookings.create-booking',
  blockNights: 'bookings.block-nights',
  openConversation: 'bookings.open-conversation',
  sendConfirmation: 'bookings.send-confirmation',
  notifyConfirmed: 'bookings.notify-confirmed',
  processRefund: 'bookings.process-refund',
  reconcilePayments: 'bookings.reconcile-payments',
  lapseAwards: 'bookings.lapse-awards',
  resumeFulfilment: 'bookings.resume-fulfilment',
  dispatchEmails: 'bookings.dispatch-emails',
} as const

/** Side effects never fail the step that committed: they are logged, and the sweeps redo them. */
export async function bestEffort(deps: Pick<BookingDeps, 'logger'>, what: string, fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn()
    return true
  } catch (e) {
    deps.logger.warn(`${what} failed; a scheduled sweep retries it`, { error: e instanceof Error ? e.message : String(e) })
    return false
  }
}

export const system = (what: string, at: Date) => ({ actor: `system:${what}`, requestId: `${what}:${at.toISOString()}`, at })
