import { err, ok, type Result } from '../../shared/result.ts'
import { orderErrors, type OrderError } from '../domain/errors.ts'
import { orderLifecycle, type Order, type OrderId } from '../domain/order.ts'
import type { OrderDeps } from '../deps.ts'

/** An unpaid order may be cancelled by its owner; its stock goes back at once. */
export async function cancelOrder(
  deps: OrderDeps,
  cmd: { orderId: OrderId; userId: string; requestId: string },
): Promise<Result<Order, OrderError>> {
  const order = await deps.orders.findForUser(cmd.orderId, cmd.userId)
  if (!order) return err(orderErrors.notFound(cmd.orderId))
  if (!orderLifecycle.can(order.status, 'cancel')) return err(orderErrors.notCancellable(order.id, order.status))
  const now = deps.clock.now()
  const moved = await deps.orders.transition(order.id, order.status, 'cancel', {
    actor: cmd.userId,
    action: 'order.cancelled',
    entityType: 'order',
    entityId: order.id,
    requestId: cmd.requestId,
    at: now,
  })
  if (moved === null) {
    // Paid or expired in the meantime: report what it is now.
    const current = await deps.orders.findForUser(cmd.orderId, cmd.userId)
    return err(orderErrors.notCancellable(order.id, current?.status ?? order.status))
  }
  await deps.inventory.release(order.id, 'released', now)
  await deps.reservationCache.clear(order.id)
  deps.logger.info('order cancelled', { order_id: order.id })
  return ok({ ...order, status: moved, updatedAt: now })
}
