import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { HttpError } from '../../platform/http/errors.ts'
import { errorResponses, guard, json, routesOf } from '../../platform/http/route-kit.ts'
import { readNotificationBody } from '../notification-body.ts'
import { handlePayPayNotification } from '../use-cases/cashback-notification.ts'

/** PayPay's cashback / reversal notifications (seed 001). */

const NotificationAnswer = z.object({
  received: z.literal(true),
  applied: z.boolean().describe('PayPay’s status moved the record'),
  status: z.string().optional().describe('the record’s status after the re-read'),
  sweep: z.literal(true).optional().describe('no id found: a bounded check of due cashbacks and reversals runs'),
})

// No `request.body`: the body is ANY JSON or form (PayPay's schema is unconfirmed), read raw by
// notification-body.ts whatever its Content-Type says; a validator would refuse or consume it.
const notification = createRoute({
  method: 'post',
  path: '/paypay/cashback/callback',
  summary:
    'PayPay cashback / reversal notification, any JSON or form body: the merchant cashback (reversal) id found anywhere in it names the record, whose status is re-read from PayPay; without one, due records are checked after the answer',
  description:
    'The body is read raw, whatever its Content-Type: a JSON object or array, or a form (urlencoded or multipart). Only the ids in it are used; an unreadable body is acknowledged too.',
  tags: ['loyalty'],
  ...guard('none'),
  responses: {
    200: json(NotificationAnswer, 'Received (also for bodies naming nothing of ours, or unreadable ones)'),
    ...errorResponses(503),
  },
})

/** Mounted under /api/v1. */
export const notificationRoutes = routesOf().openapi(notification, async (c) => {
  // Any 2xx acknowledges (PayPay re-sends on errors and timeouts); 503 only when PayPay's own
  // status could not be read, so its re-send can try again.
  const body = await readNotificationBody(c.req)
  const out = await handlePayPayNotification(c.var.deps.loyalty, body, { requestId: c.var.requestId, defer: c.var.defer })
  c.var.logger.info('paypay notification', { outcome: out.kind, ...('reason' in out && { reason: out.reason }) })
  if (out.kind === 'retry') throw new HttpError(503, 'PAYPAY_UNAVAILABLE', 'Could not confirm the status with PayPay; send again later')
  return c.json(
    {
      received: true as const,
      applied: out.kind === 'applied',
      ...('status' in out && { status: out.status }),
      ...(out.kind === 'swept' && { sweep: true as const }),
    },
    200,
  )
})
