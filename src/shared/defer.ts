import type { Logger } from './logger.ts'

/**
 * Work the answer does not wait for (releasing a counter, giving back a throttle attempt). On the
 * edge every awaited call to Redis or Postgres is a network round trip the caller pays for, so
 * bookkeeping that cannot change the answer runs after it. Nobody awaits the task: it must be
 * safe to lose (a TTL or a later sweep bounds the damage) and it must never be what a guarantee
 * rests on. Each runtime entry provides one per request (see `deferVia`).
 */
export type Defer = (label: string, task: () => Promise<unknown>) => void

/**
 * A Defer over a runtime's keep-alive hook (the Worker's `waitUntil`; a no-op in a long-lived
 * process). The task starts now; its failure is logged, since no caller is left to see it.
 */
export function deferVia(keepAlive: (work: Promise<unknown>) => void, logger: Logger): Defer {
  return (label, task) => {
    const work = Promise.resolve()
      .then(task)
      .catch((e: unknown) => logger.error('deferred work failed', { task: label, error: e instanceof Error ? e.message : String(e) }))
    keepAlive(work)
  }
}
