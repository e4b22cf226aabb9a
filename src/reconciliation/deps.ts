import type { Clock } from '../shared/clock.ts'
import type { Logger } from '../shared/logger.ts'
import type { AcknowledgementStore, PayPayReader, PaystackReader, ReconciliationRecords, ReportStore, ZaloPayReader } from './ports.ts'

export interface ReconciliationDeps {
  readonly records: ReconciliationRecords
  readonly reports: ReportStore
  readonly acknowledgements: AcknowledgementStore
  /** Null when that gateway is not configured: its section is reported as unchecked. */
  readonly paystack: PaystackReader | null
  readonly zalopay: ZaloPayReader | null
  readonly paypay: PayPayReader | null
  readonly clock: Clock
  readonly logger: Logger
  readonly settings: {
    /** Default window when no `since` is given. */
    readonly windowMs: number
    /** Page size of each section. */
    readonly pageSize: number
    /** Gateway calls in flight at once. */
    readonly concurrency: number
  }
}

/** Job names of this context (handled at POST /jobs/{name}; the report is also a QStash schedule). */
export const RECONCILIATION_JOBS = {
  report: 'reconciliation.report',
} as const
