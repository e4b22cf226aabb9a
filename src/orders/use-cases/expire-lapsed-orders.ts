import type { OrderDeps } from '../deps.ts'

export interface ExpiryReport {
  readonly ordersExpired: number
  readonly reservationsReleased: number
}

/**
 * The clean-up job (seed 004 §4 step 8): unpaid orders past their time become expired and give
 * their stock back; reservations past their time that no order claims (an order that never got
 * created) are released too. Every step is a guarded update, so two runs at once do each thing once.
 */
export async function expireLapsedOrders(deps: OrderDeps, opts: { batch?: number } = {}): Promise<ExpiryReport> {
  const batch = opts.batch ?? 500
  const now = deps.clock.now()
  let ordersExpired = 0
  let reservationsReleased = 0
  for (const id of await deps.orders.findLapsed(now, batch)) {
    const moved = await deps.orders.transition(id, 'awaiting_payment', 'expire', {
      actor: 'system:expiry',
      action: 'order.expired',
      entityType: 'order',
      entityId: id,
      requestId: `expiry:${now.toISOString()}`,
      at: now,
    })
    if (moved === null) continue
    ordersExpired++
    reservationsReleased += await deps.inventory.release(id, 'expired', now)
    await deps.reservationCache.clear(id)
  }
  const orphans = await deps.sweeper.expireDue(now, batch)
  reservationsReleased += orphans.released
  if (ordersExpired + reservationsReleased > 0)
    deps.logger.info('expired lapsed orders', { orders: ordersExpired, reservations: reservationsReleased })
  return { ordersExpired, reservationsReleased }
}
