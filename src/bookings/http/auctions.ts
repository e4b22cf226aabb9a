import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { errorResponses, guard, json, routesOf } from '../../platform/http/route-kit.ts'
import { acceptOffer, declineOffer } from '../use-cases/second-chance.ts'
import { refuseBooking } from './refusals.ts'
import { OfferParam } from './requests.ts'
import { AwardView, awardView } from './views.ts'

/** A bidder's side of auctions: my awards and the second-chance offers made to me. */

const awards = createRoute({
  method: 'get',
  path: '/user/auction-awards',
  summary: 'My auction awards and second-chance offers',
  tags: ['bookings'],
  ...guard('user'),
  responses: { 200: json(z.object({ awards: z.array(AwardView) }), 'Awards'), ...errorResponses(401) },
})

const accept = createRoute({
  method: 'post',
  path: '/second-chance-offers/{offerId}/accept',
  summary: 'Accept a second-chance offer: it becomes payable for 24 hours',
  tags: ['bookings'],
  ...guard('user'),
  request: { params: OfferParam },
  responses: { 200: json(z.object({ award: AwardView }), 'Accepted'), ...errorResponses(400, 401, 404, 409) },
})

const decline = createRoute({
  method: 'post',
  path: '/second-chance-offers/{offerId}/decline',
  summary: 'Decline a second-chance offer: the next bidder is asked',
  tags: ['bookings'],
  ...guard('user'),
  request: { params: OfferParam },
  responses: { 200: json(z.object({ award: AwardView }), 'Declined'), ...errorResponses(400, 401, 404, 409) },
})

export const auctionRoutes = routesOf()
  .openapi(awards, async (c) => {
    const list = await c.var.deps.bookings.auctions.listForUser(c.var.principal.userId)
    return c.json({ awards: list.map(awardView) }, 200)
  })
  .openapi(accept, async (c) => {
    const r = await acceptOffer(c.var.deps.bookings, {
      offerId: c.req.valid('param').offerId,
      userId: c.var.principal.userId,
      requestId: c.var.requestId,
    })
    if (!r.ok) refuseBooking(c.var.logger, r.error)
    return c.json({ award: awardView(r.value) }, 200)
  })
  .openapi(decline, async (c) => {
    const r = await declineOffer(c.var.deps.bookings, {
      offerId: c.req.valid('param').offerId,
      userId: c.var.principal.userId,
      requestId: c.var.requestId,
    })
    if (!r.ok) refuseBooking(c.var.logger, r.error)
    return c.json({ award: awardView(r.value) }, 200)
  })
