/**
 * Every QStash schedule of the service, declared in one place. `npm run schedules:sync` makes
 * QStash match this list (create, update, delete) using each name as the schedule id, so running
 * it twice changes nothing. Each name is a job handled at `POST /jobs/{name}`.
 */
export interface ScheduleSpec {
  readonly name: string
  /** Five-field cron, UTC unless prefixed `CRON_TZ=<IANA zone> ` (QStash then reads the fields in that zone). */
  readonly cron: string
  readonly description: string
}

export const SCHEDULES: readonly ScheduleSpec[] = [
  {
    name: 'platform.heartbeat',
    cron: '*/5 * * * *',
    description: 'Records that scheduled delivery works; /health reports the last beat.',
  },
  {
    name: 'inventory.expire-reservations',
    cron: '* * * * *',
    description: 'Expires unpaid orders past their time and releases every lapsed reservation (seed 004 §4 step 8).',
  },
  {
    name: 'payments.reconcile',
    cron: '*/5 * * * *',
    description: 'Verifies payments pending for minutes, settles unanswered refunds, publishes stranded outbox jobs.',
  },
  {
    name: 'bookings.reconcile-payments',
    cron: '* * * * *',
    description:
      'Settles open ZaloPay sessions through the query API (lost callbacks), expires unpaid ones past expiresAt, re-queues bookings of paid ones.',
  },
  {
    name: 'bookings.lapse-awards',
    cron: '* * * * *',
    description:
      'Lapses auction awards unpaid past their deadline and expires unanswered offers; the next bidder gets a second-chance offer.',
  },
  {
    name: 'bookings.resume-fulfilment',
    cron: '*/5 * * * *',
    description: 'Re-queues booking steps a lost job left undone, drives open ZaloPay refunds, sends queued emails.',
  },
  {
    name: 'loyalty.check-cashbacks',
    cron: '*/5 * * * *',
    description:
      'Checks PayPay cashbacks accepted a few minutes ago (SUCCESS completes, FAILURE returns the points), re-sends TRANSACTION_NOT_FOUND ones with the same id, re-drives stuck requests.',
  },
  {
    name: 'loyalty.check-reversals',
    cron: '*/5 * * * *',
    description: 'Checks PayPay cashback reversals (SUCCESS credits the reversed amount as points), re-drives stuck ones.',
  },
  {
    name: 'loyalty.export-history',
    cron: '0 15 * * *',
    description: "Writes the previous JST day's cashback and reversal transactions to a CSV in the bucket at 00:00 JST (15:00 UTC).",
  },
  {
    name: 'loyalty.redrive-grants',
    // Seed 001: the give-cashback worker "will be refreshed and run again every 00:00 every day" (JST;
    // Japan keeps no DST, so this is 15:00 UTC all year).
    cron: 'CRON_TZ=Asia/Tokyo 0 0 * * *',
    description:
      'Re-sends Give Cashback, with the same merchantCashbackId, for every grant PayPay has not yet accepted (still requested a few minutes after the exchange); leases keep concurrent runs and the 5-minute check to one call each.',
  },
  {
    name: 'reconciliation.report',
    cron: '17 * * * *',
    description:
      'Compares the last 24 hours of payments, refunds, orders, stock, ZaloPay sessions, PayPay cashbacks and the points ledger with the gateways and each other; stores the report GET /api/admin/reconciliation returns.',
  },
]
