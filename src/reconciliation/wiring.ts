import type { Deps } from '../container.ts'
import { DrizzleAcknowledgementStore } from './adapters/drizzle-acknowledgement-store.ts'
import { DrizzleReconciliationRecords } from './adapters/drizzle-reconciliation-records.ts'
import { ObjectStoreReportStore } from './adapters/object-store-report-store.ts'
import type { ReconciliationDeps } from './deps.ts'

/** Our records, and the gateways' read methods: the same clients the payments, bookings and loyalty contexts use. */
export function wireReconciliation(deps: Deps): ReconciliationDeps {
  const { db, files, clock, logger } = deps
  return {
    records: new DrizzleReconciliationRecords(db),
    reports: new ObjectStoreReportStore(files),
    acknowledgements: new DrizzleAcknowledgementStore(db),
    paystack: deps.payments?.gateway ?? null,
    zalopay: deps.bookings.gateway,
    paypay: deps.loyalty.paypay,
    clock,
    logger: logger.child({ component: 'reconciliation' }),
    // Bounded: at most ~600 gateway calls per report (Workers Paid allows 10,000 subrequests per
    // request; the `limit` query asks for more when needed).
    settings: { windowMs: 24 * 3600_000, pageSize: 100, concurrency: 4 },
  }
}
