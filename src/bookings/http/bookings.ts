import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import { HttpError } from '../../platform/http/errors.ts'
import { errorResponses, guard, json, jsonBody, routesOf } from '../../platform/http/route-kit.ts'
import type { BookingId } from '../domain/booking.ts'
import { addDays, nightOf } from '../domain/nights.ts'
import type { PropertyId } from '../domain/property.ts'
import { cancelBooking, createDirectBooking } from '../use-cases/direct-bookings.ts'
import { blockBookingNights, openConversation, sendConfirmation } from '../use-cases/fulfil-booking.ts'
import { refuseBooking } from './refusals.ts'
import { BookingParam, CalendarQuery, CreateBookingRequest, ListQuery, PropertyParam } from './requests.ts'
import { BookingView, bookingView, PropertyView, propertyView, RefundView, refundView } from './views.ts'

/** Seed 003 §7-§10: a booking's follow-ups, direct bookings, my bookings and a property's calendar. */

const updateCalendar = createRoute({
  method: 'post',
  path: '/bookings/{bookingId}/update-calendar',
  summary: 'Seed 003 §7: block the booking’s nights (idempotent; the backend usually did it)',
  tags: ['bookings'],
  ...guard('user'),
  request: { params: BookingParam },
  responses: { 200: json(z.object({}), 'Blocked'), ...errorResponses(400, 401, 404, 409) },
})

const conversation = createRoute({
  method: 'post',
  path: '/bookings/{bookingId}/conversation',
  summary: 'Seed 003 §8: the conversation thread with the host (created once)',
  tags: ['bookings'],
  ...guard('user'),
  request: { params: BookingParam },
  responses: { 200: json(z.object({ threadId: z.string() }), 'The thread'), ...errorResponses(400, 401, 404, 409) },
})

const confirmation = createRoute({
  method: 'post',
  path: '/bookings/{bookingId}/send-confirmation',
  summary: 'Seed 003 §9: queue the confirmation email (once per booking)',
  tags: ['bookings'],
  ...guard('user'),
  request: { params: BookingParam },
  responses: { 200: json(z.object({}), 'Queued (or already)'), ...errorResponses(400, 401, 404, 409) },
})

const book = createRoute({
  method: 'post',
  path: '/bookings',
  summary: 'Seed 003 §10: book nights directly (not through an auction); of two bookings for a night one wins',
  tags: ['bookings'],
  ...guard('user', { idempotent: true }),
  request: { body: jsonBody(CreateBookingRequest) },
  responses: { 201: json(BookingView, 'Confirmed'), ...errorResponses(400, 401, 404, 409, 422) },
})

const cancel = createRoute({
  method: 'delete',
  path: '/bookings/{bookingId}',
  summary: 'Seed 003 §10: cancel my booking before check-in; frees the nights; a ZaloPay payment is refunded',
  tags: ['bookings'],
  ...guard('user'),
  request: { params: BookingParam },
  responses: {
    200: json(z.object({ booking: BookingView, refund: RefundView.nullable() }), 'Cancelled'),
    ...errorResponses(400, 401, 404, 409),
  },
})

const mine = createRoute({
  method: 'get',
  path: '/user/bookings',
  summary: 'Seed 003 §10: my bookings, newest first (cursor: nextBefore)',
  tags: ['bookings'],
  ...guard('user'),
  request: { query: ListQuery },
  responses: {
    200: json(z.object({ bookings: z.array(BookingView), nextBefore: z.string().nullable() }), 'A page'),
    ...errorResponses(400, 401),
  },
})

const calendar = createRoute({
  method: 'get',
  path: '/properties/{propertyId}/calendar',
  summary: 'A property and its booked nights between from and to (default: the next 90 days)',
  tags: ['bookings'],
  ...guard('user'),
  request: { params: PropertyParam, query: CalendarQuery },
  responses: {
    200: json(z.object({ property: PropertyView, from: z.string(), to: z.string(), booked: z.array(z.string()) }), 'Calendar'),
    ...errorResponses(400, 401, 404),
  },
})

export const bookingsRoutes = routesOf()
  .openapi(updateCalendar, async (c) => {
    const r = await blockBookingNights(c.var.deps.bookings, {
      bookingId: c.req.valid('param').bookingId,
      caller: { userId: c.var.principal.userId },
      requestId: c.var.requestId,
    })
    if (!r.ok) refuseBooking(c.var.logger, r.error)
    return c.json({}, 200)
  })
  .openapi(conversation, async (c) => {
    const r = await openConversation(c.var.deps.bookings, {
      bookingId: c.req.valid('param').bookingId,
      caller: { userId: c.var.principal.userId },
    })
    if (!r.ok) refuseBooking(c.var.logger, r.error)
    return c.json({ threadId: r.value.threadId }, 200)
  })
  .openapi(confirmation, async (c) => {
    const r = await sendConfirmation(c.var.deps.bookings, {
      bookingId: c.req.valid('param').bookingId,
      caller: { userId: c.var.principal.userId },
    })
    if (!r.ok) refuseBooking(c.var.logger, r.error)
    return c.json({}, 200)
  })
  .openapi(book, async (c) => {
    const b = c.req.valid('json')
    const r = await createDirectBooking(c.var.deps.bookings, { userId: c.var.principal.userId, ...b, requestId: c.var.requestId })
    if (!r.ok) refuseBooking(c.var.logger, r.error)
    return c.json(bookingView(r.value), 201)
  })
  .openapi(cancel, async (c) => {
    const r = await cancelBooking(c.var.deps.bookings, {
      bookingId: c.req.valid('param').bookingId,
      userId: c.var.principal.userId,
      requestId: c.var.requestId,
    })
    if (!r.ok) refuseBooking(c.var.logger, r.error)
    return c.json({ booking: bookingView(r.value.booking), refund: r.value.refund ? refundView(r.value.refund) : null }, 200)
  })
  .openapi(mine, async (c) => {
    const q = c.req.valid('query')
    const list = await c.var.deps.bookings.bookings.listForUser(c.var.principal.userId, {
      limit: q.limit,
      ...(q.before && { before: q.before as BookingId }),
    })
    const last = list.at(-1)
    return c.json({ bookings: list.map(bookingView), nextBefore: list.length === q.limit && last ? last.id : null }, 200)
  })
  .openapi(calendar, async (c) => {
    const deps = c.var.deps.bookings
    const q = c.req.valid('query')
    const from = q.from ?? nightOf(deps.clock.now())
    const to = q.to ?? addDays(from, 90)
    // One read (the property and its nights); an unknown property still answers 404 before a bad range's 400.
    const found = await deps.properties.calendar(c.req.valid('param').propertyId as PropertyId, from, to)
    if (!found) throw new HttpError(404, 'PROPERTY_NOT_FOUND', 'Property not found')
    if (to < from) throw new HttpError(400, 'VALIDATION_FAILED', 'to must not be before from')
    return c.json({ property: propertyView(found.property), from, to, booked: found.booked }, 200)
  })
