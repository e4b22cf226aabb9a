import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { errorResponses, guard, json, jsonBody, routesOf } from '../../platform/http/route-kit.ts'
import { resultOf } from '../domain/auction.ts'
import { createAuction, createProperty, recordAuctionResults } from '../use-cases/manage-auctions.ts'
import { lapseAwardNow } from '../use-cases/second-chance.ts'
import { refuseBooking } from './refusals.ts'
import { AuctionParam, AwardParam, CreateAuctionRequest, CreatePropertyRequest, RecordResultsRequest } from './requests.ts'
import { AuctionView, auctionView, AwardView, awardView, PropertyView, propertyView } from './views.ts'

/** The operator's side (mounted under /api/admin): properties, auctions, their results, lapses. */

const AUCTION_DEFAULT_DURATION_MS = 7 * 24 * 3600 * 1000

const newProperty = createRoute({
  method: 'post',
  path: '/properties',
  summary: 'Create a property (host, capacity, nightly rate in VND)',
  tags: ['bookings-admin'],
  ...guard('admin', { idempotent: true }),
  request: { body: jsonBody(CreatePropertyRequest) },
  responses: { 201: json(z.object({ property: PropertyView }), 'Created'), ...errorResponses(400, 401, 403) },
})

const newAuction = createRoute({
  method: 'post',
  path: '/auctions',
  summary: 'Open an auction for free nights of a property',
  tags: ['bookings-admin'],
  ...guard('admin', { idempotent: true }),
  request: { body: jsonBody(CreateAuctionRequest) },
  responses: { 201: json(z.object({ auction: AuctionView }), 'Created'), ...errorResponses(400, 401, 403, 404, 409, 422) },
})

const results = createRoute({
  method: 'post',
  path: '/auctions/{auctionId}/results',
  summary: 'Record the results (closes the auction); each winner gets AUCTION_RESULT',
  tags: ['bookings-admin'],
  ...guard('admin', { idempotent: true }),
  request: { params: AuctionParam, body: jsonBody(RecordResultsRequest) },
  responses: {
    201: json(
      z.object({ auction: AuctionView, awards: z.array(AwardView.extend({ result: z.enum(['WON', 'PARTIALLY_WON']) })) }),
      'Recorded',
    ),
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
})

const lapse = createRoute({
  method: 'post',
  path: '/awards/{awardId}/lapse',
  summary: 'Lapse an unpaid award now; the next bidder gets SECOND_CHANCE_OFFER',
  tags: ['bookings-admin'],
  ...guard('admin'),
  request: { params: AwardParam },
  responses: {
    200: json(z.object({ lapsed: AwardView, offer: AwardView.nullable() }), 'Lapsed'),
    ...errorResponses(400, 401, 403, 404, 409),
  },
})

export const bookingAdminRoutes = routesOf()
  .openapi(newProperty, async (c) => {
    const p = await createProperty(c.var.deps.bookings, {
      ...c.req.valid('json'),
      actor: c.var.principal.userId,
      requestId: c.var.requestId,
    })
    return c.json({ property: propertyView(p) }, 201)
  })
  .openapi(newAuction, async (c) => {
    const b = c.req.valid('json')
    const deps = c.var.deps.bookings
    const r = await createAuction(deps, {
      propertyId: b.propertyId,
      nights: b.nights,
      endsAt: b.endsAt ? new Date(b.endsAt) : new Date(deps.clock.now().getTime() + AUCTION_DEFAULT_DURATION_MS),
      actor: c.var.principal.userId,
      requestId: c.var.requestId,
    })
    if (!r.ok) refuseBooking(c.var.logger, r.error)
    return c.json({ auction: auctionView(r.value) }, 201)
  })
  .openapi(results, async (c) => {
    const r = await recordAuctionResults(c.var.deps.bookings, {
      auctionId: c.req.valid('param').auctionId,
      awards: c.req.valid('json').awards.map((a) => ({ ...a, paymentDeadline: new Date(a.paymentDeadline) })),
      actor: c.var.principal.userId,
      requestId: c.var.requestId,
    })
    if (!r.ok) refuseBooking(c.var.logger, r.error)
    const { auction, awards } = r.value
    return c.json({ auction: auctionView(auction), awards: awards.map((a) => ({ ...awardView(a), result: resultOf(a, auction) })) }, 201)
  })
  .openapi(lapse, async (c) => {
    const r = await lapseAwardNow(c.var.deps.bookings, {
      awardId: c.req.valid('param').awardId,
      actor: c.var.principal.userId,
      requestId: c.var.requestId,
    })
    if (!r.ok) refuseBooking(c.var.logger, r.error)
    return c.json({ lapsed: awardView(r.value.lapsed), offer: r.value.offer ? awardView(r.value.offer) : null }, 200)
  })
