import type { JobHandler } from '../platform/http/jobs.ts'
import { ORDER_JOBS } from './deps.ts'
import { expireLapsedOrders } from './use-cases/expire-lapsed-orders.ts'

/** The orders context's QStash jobs; each is safe to run more than once. */
export const orderJobs: Record<string, JobHandler> = {
  [ORDER_JOBS.expireReservations]: async (c) => ({ ...(await expireLapsedOrders(c.var.deps.orders)) }),
}
