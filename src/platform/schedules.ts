/**
 * Every QStash schedule of the service, declared in one place. `npm run schedules:sync` makes
 * QStash match this list (create, update, delete) using each name as the schedule id, so running
 * it twice changes nothing. Each name is a job handled at `POST /jobs/{name}`.
 */
export interface ScheduleSpec {
  readonly name: string
  /** Five-field cron, UTC. */
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
]
