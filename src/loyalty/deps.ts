import type { Clock } from '../shared/clock.ts'
import type { JobQueue } from '../shared/jobs.ts'
import type { Logger } from '../shared/logger.ts'
import type { ObjectStore } from '../shared/object-store.ts'
import type { CashbackRepository, HistoryRepository, LinkRepository, PayPayGateway, PointsLedger, ReversalRepository } from './ports.ts'

export interface LoyaltySettings {
  /** Where PayPay sends the browser back with the responseToken after consent. */
  readonly linkRedirectUrl: string
  /** How long one Give / Reverse call may hold its record (longer than a call can take). */
  readonly leaseMs: number
  /** Check accepted cashbacks / reversals this long after acceptance ("after a few minutes"). */
  readonly checkAfterMs: number
  /** Re-drive records still `requested` this long after creation (their job was lost or dead-lettered). */
  readonly redriveAfterMs: number
  /** TRANSACTION_NOT_FOUND this long after acceptance: re-send with the same id (PayPay's FAQ). */
  readonly notFoundResendAfterMs: number
}

export const DEFAULT_LOYALTY_SETTINGS: Omit<LoyaltySettings, 'linkRedirectUrl' | 'leaseMs'> = {
  checkAfterMs: 2 * 60 * 1000,
  redriveAfterMs: 5 * 60 * 1000,
  notFoundResendAfterMs: 60 * 1000,
}

export interface LoyaltyDeps {
  readonly ledger: PointsLedger
  readonly links: LinkRepository
  readonly cashbacks: CashbackRepository
  readonly reversals: ReversalRepository
  readonly history: HistoryRepository
  /** Null when PayPay is not configured: its routes answer 503 PAYPAY_NOT_CONFIGURED. */
  readonly paypay: PayPayGateway | null
  readonly queue: JobQueue
  readonly files: ObjectStore
  readonly clock: Clock
  readonly logger: Logger
  readonly settings: LoyaltySettings
}

/** Job names (also the QStash schedule ids of the scheduled ones). */
export const LOYALTY_JOBS = {
  giveCashback: 'loyalty.give-cashback',
  reverseCashback: 'loyalty.reverse-cashback',
  checkCashbacks: 'loyalty.check-cashbacks',
  checkReversals: 'loyalty.check-reversals',
  exportHistory: 'loyalty.export-history',
  redriveGrants: 'loyalty.redrive-grants',
} as const
