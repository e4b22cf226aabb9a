import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import type { AppEnv } from '../platform/http/app-env.ts'
import { requireAdmin, requireUser } from '../platform/http/auth-middleware.ts'
import { domainErrorResponse, HttpError } from '../platform/http/errors.ts'
import { idempotency } from '../platform/http/idempotency.ts'
import { errors, type RouteDoc } from '../platform/http/openapi.ts'
import { PG_INTEGER_MAX, validate } from '../platform/http/validation.ts'
import { AWARD_STATUSES, resultOf, type Auction, type Award } from './domain/auction.ts'
import { BOOKING_STATUSES, type Booking, type BookingId } from './domain/booking.ts'
import type { BookingError, BookingErrorCode } from './domain/errors.ts'
import { addDays, isNight, nightOf } from './domain/nights.ts'
import { SESSION_STATUSES, verificationStatus, type PaymentSession, type PaymentSessionId } from './domain/payment-session.ts'
import type { Property, PropertyId } from './domain/property.ts'
import type { Refund } from './domain/refund.ts'
import { createZaloPayPayment } from './use-cases/create-payment.ts'
import { cancelBooking, createDirectBooking } from './use-cases/direct-bookings.ts'
import { blockBookingNights, createBookingForPayment, openConversation, sendConfirmation } from './use-cases/fulfil-booking.ts'
import { createAuction, createProperty, recordAuctionResults } from './use-cases/manage-auctions.ts'
import { checkPaymentStatus } from './use-cases/payment-status.ts'
import { acceptOffer, declineOffer, lapseAwardNow } from './use-cases/second-chance.ts'
import { handleZaloPayCallback } from './use-cases/zalopay-callback.ts'

// ---- schemas ----------------------------------------------------------------------------------

const ulidId = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `a ${prefix}_ id`)
const nightSchema = z.string().refine(isNight, 'a calendar date YYYY-MM-DD')
const instant = z.iso.datetime({ offset: true })
const text = (max: number) => z.string().trim().min(1).max(max)
const vnd = z.number().int().positive().max(PG_INTEGER_MAX).describe('VND (no minor unit)')

/** Seed 003 §1 request. The amount is checked against the award, never used. */
export const CreatePaymentRequest = z.object({
  auctionId: ulidId('auc'),
  selectedNights: z.array(nightSchema).min(1).max(366),
  amount: vnd,
  orderInfo: z.string().max(256),
  guestCount: z.number().int().min(1).max(100).default(1).describe('beyond the seed; default 1'),
})

const CreatePaymentResponse = z.object({
  orderUrl: z.string(),
  appTransId: z.string(),
  amount: z.number().int(),
  sessionId: z.string().describe('beyond the seed: the session the redirect lands on'),
  paymentId: z.string(),
  expiresAt: z.string(),
})

export const PaymentSessionView = z.object({
  id: z.string(),
  paymentId: z.string().describe('the id used by /payment/{paymentId}/booking (same as id)'),
  auctionId: z.string(),
  userId: z.string(),
  amount: z.number().int(),
  currency: z.literal('VND'),
  status: z.enum(SESSION_STATUSES),
  appTransId: z.string(),
  orderUrl: z.string().optional(),
  transactionId: z.string().optional(),
  paidAt: z.string().optional(),
  selectedNights: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string(),
})

const VerificationView = z.object({
  status: z.enum(['PAID', 'PENDING', 'FAILED', 'CANCELLED']),
  transactionId: z.string().optional(),
  amount: z.number().int().optional(),
  paidAt: z.string().optional(),
})

export const BookingView = z.object({
  id: z.string(),
  referenceNumber: z.string(),
  propertyId: z.string(),
  propertyName: z.string(),
  hostId: z.string(),
  checkIn: z.string().describe('ISO date of the first night'),
  checkOut: z.string().describe('ISO date of the morning after the last night'),
  guestCount: z.number().int(),
  totalAmount: z.number().int(),
  status: z.enum(BOOKING_STATUSES),
  createdAt: z.string(),
  currency: z.string(),
  nights: z.array(z.string()),
  paymentId: z.string().optional(),
})

const RefundView = z.object({ id: z.string(), amount: z.number().int(), status: z.string(), reason: z.string() })

const AwardView = z.object({
  id: z.string(),
  auctionId: z.string(),
  kind: z.enum(['WINNER', 'SECOND_CHANCE']),
  userId: z.string(),
  nights: z.array(z.string()),
  amount: z.number().int(),
  currency: z.string(),
  status: z.enum(AWARD_STATUSES),
  paymentDeadline: z.string().nullable(),
  responseDeadline: z.string().nullable(),
})

const PropertyView = z.object({
  id: z.string(),
  name: z.string(),
  hostId: z.string(),
  maxGuests: z.number().int(),
  nightlyRate: z.number().int(),
  currency: z.string(),
})

const AuctionView = z.object({
  id: z.string(),
  propertyId: z.string(),
  nights: z.array(z.string()),
  status: z.enum(['OPEN', 'CLOSED']),
  endsAt: z.string(),
})

export const sessionView = (s: PaymentSession): z.infer<typeof PaymentSessionView> => ({
  id: s.id,
  paymentId: s.id,
  auctionId: s.auctionId,
  userId: s.userId,
  amount: s.amount,
  currency: 'VND',
  status: s.status,
  appTransId: s.appTransId,
  ...(s.orderUrl && { orderUrl: s.orderUrl }),
  ...(s.transactionId && { transactionId: s.transactionId }),
  ...(s.paidAt && { paidAt: s.paidAt.toISOString() }),
  selectedNights: [...s.nights],
  createdAt: s.createdAt.toISOString(),
  expiresAt: s.expiresAt.toISOString(),
})

export const bookingView = (b: Booking): z.infer<typeof BookingView> => ({
  id: b.id,
  referenceNumber: b.referenceNumber,
  propertyId: b.propertyId,
  propertyName: b.propertyName,
  hostId: b.hostId,
  checkIn: b.checkIn,
  checkOut: b.checkOut,
  guestCount: b.guestCount,
  totalAmount: b.totalAmount,
  status: b.status,
  createdAt: b.createdAt.toISOString(),
  currency: b.currency,
  nights: [...b.nights],
  ...(b.paymentSessionId && { paymentId: b.paymentSessionId }),
})

const refundView = (r: Refund): z.infer<typeof RefundView> => ({ id: r.id, amount: r.amount, status: r.status, reason: r.reason })

const awardView = (a: Award): z.infer<typeof AwardView> => ({
  id: a.id,
  auctionId: a.auctionId,
  kind: a.kind,
  userId: a.userId,
  nights: [...a.nights],
  amount: a.amount,
  currency: a.currency,
  status: a.status,
  paymentDeadline: a.paymentDeadline?.toISOString() ?? null,
  responseDeadline: a.responseDeadline?.toISOString() ?? null,
})

const propertyView = (p: Property): z.infer<typeof PropertyView> => ({
  id: p.id,
  name: p.name,
  hostId: p.hostId,
  maxGuests: p.maxGuests,
  nightlyRate: p.nightlyRate,
  currency: p.currency,
})

const auctionView = (a: Auction): z.infer<typeof AuctionView> => ({
  id: a.id,
  propertyId: a.propertyId,
  nights: [...a.nights],
  status: a.status,
  endsAt: a.endsAt.toISOString(),
})

const STATUS: Record<BookingErrorCode, ContentfulStatusCode> = {
  PROPERTY_NOT_FOUND: 404,
  AUCTION_NOT_FOUND: 404,
  AUCTION_CLOSED: 409,
  INVALID_NIGHTS: 422,
  NIGHTS_UNAVAILABLE: 409,
  AWARD_NOT_FOUND: 404,
  OFFER_NOT_FOUND: 404,
  OFFER_NOT_OPEN: 409,
  AWARD_NOT_PAYABLE: 409,
  ALREADY_PAID: 409,
  PAYMENT_DEADLINE_PASSED: 409,
  AMOUNT_MISMATCH: 422,
  NIGHTS_MISMATCH: 422,
  GUEST_COUNT_EXCEEDED: 422,
  PAYMENT_IN_PROGRESS: 409,
  GATEWAY_REJECTED: 502,
  GATEWAY_NOT_CONFIGURED: 503,
  PAYMENT_SESSION_NOT_FOUND: 404,
  PAYMENT_NOT_COMPLETED: 409,
  BOOKING_NOT_FOUND: 404,
  BOOKING_NOT_CONFIRMED: 409,
  BOOKING_NOT_CANCELLABLE: 409,
}

const refuse = (c: Context<AppEnv>, e: BookingError) => {
  if (STATUS[e.code] < 500) c.var.logger.info('bookings refused', { code: e.code, details: e.details })
  return domainErrorResponse(c, e, STATUS)
}

const SessionParam = z.object({ sessionId: ulidId('ps') })
const PaymentParam = z.object({ paymentId: ulidId('ps') })
const AppTransParam = z.object({ appTransId: z.string().regex(/^\d{6}_[0-9A-Z]{1,33}$/, 'an app_trans_id') })
const TransactionParam = z.object({ transactionId: z.string().regex(/^\d{1,20}$/, "ZaloPay's zp_trans_id") })
const BookingParam = z.object({ bookingId: ulidId('bkg') })
const OfferParam = z.object({ offerId: ulidId('off') })
const PropertyParam = z.object({ propertyId: ulidId('prop') })
const AuctionParam = z.object({ auctionId: ulidId('auc') })
const AwardParam = z.object({ awardId: z.union([ulidId('awd'), ulidId('off')]) })
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), before: ulidId('bkg').optional() })
const CalendarQuery = z.object({ from: nightSchema.optional(), to: nightSchema.optional() })

export const CreateBookingRequest = z.object({
  propertyId: ulidId('prop'),
  checkIn: nightSchema,
  checkOut: nightSchema,
  guestCount: z.number().int().min(1).max(100),
})

export const CreatePropertyRequest = z.strictObject({
  name: text(200),
  hostId: text(256),
  maxGuests: z.number().int().min(1).max(100),
  nightlyRate: z.number().int().min(0).max(PG_INTEGER_MAX),
  currency: z.literal('VND').default('VND').describe('ZaloPay settles in VND'),
})

export const CreateAuctionRequest = z.strictObject({
  propertyId: ulidId('prop'),
  nights: z.array(nightSchema).min(1).max(366),
  endsAt: instant.optional(),
})

export const RecordResultsRequest = z.strictObject({
  awards: z
    .array(
      z.strictObject({
        userId: text(256),
        nights: z.array(nightSchema).min(1).max(366),
        amount: vnd,
        paymentDeadline: instant,
        runnersUp: z.array(z.strictObject({ userId: text(256), amount: vnd })).max(20).default([]),
      }),
    )
    .min(1)
    .max(100),
})

const caller = (c: Context<AppEnv>) => ({ userId: c.var.principal!.userId })

// ---- routes -----------------------------------------------------------------------------------

export const bookingRoutes = new Hono<AppEnv>()
  // ZaloPay's server-to-server callback: no bearer token; the key2 MAC is the authentication.
  .post('/payment/zalopay/callback', async (c) => {
    const reply = await handleZaloPayCallback(c.var.deps.bookings, await c.req.text(), c.var.requestId)
    return c.json(reply, 200)
  })
  .post('/payment/zalopay/create', requireUser, idempotency(), validate('json', CreatePaymentRequest), async (c) => {
    const b = c.req.valid('json')
    const r = await createZaloPayPayment(c.var.deps.bookings, {
      userId: c.var.principal!.userId,
      auctionId: b.auctionId,
      selectedNights: b.selectedNights,
      amount: b.amount,
      orderInfo: b.orderInfo,
      guestCount: b.guestCount,
      requestId: c.var.requestId,
    })
    if (!r.ok) return refuse(c, r.error)
    const s = r.value.session
    return c.json({ orderUrl: s.orderUrl ?? '', appTransId: s.appTransId, amount: s.amount, sessionId: s.id, paymentId: s.id, expiresAt: s.expiresAt.toISOString() })
  })
  .get('/payment/zalopay/status/:appTransId', requireUser, validate('param', AppTransParam), async (c) => {
    const r = await checkPaymentStatus(c.var.deps.bookings, { appTransId: c.req.valid('param').appTransId, userId: c.var.principal!.userId, requestId: c.var.requestId })
    if (!r.ok) return refuse(c, r.error)
    const s = r.value
    const status = verificationStatus(s.status)
    return c.json({
      status,
      ...(s.transactionId && status === 'PAID' && { transactionId: s.transactionId }),
      amount: s.amount,
      ...(s.paidAt && { paidAt: s.paidAt.toISOString() }),
    } satisfies z.infer<typeof VerificationView>)
  })
  .get('/payment/sessions/:sessionId', requireUser, validate('param', SessionParam), async (c) => {
    const s = await c.var.deps.bookings.sessions.find(c.req.valid('param').sessionId as PaymentSessionId)
    if (!s || s.userId !== c.var.principal!.userId) throw new HttpError(404, 'PAYMENT_SESSION_NOT_FOUND', 'Payment session not found')
    return c.json(sessionView(s))
  })
  .get('/payment/transactions/:transactionId', requireUser, validate('param', TransactionParam), async (c) => {
    const s = await c.var.deps.bookings.sessions.findByTransactionId(c.req.valid('param').transactionId)
    if (!s || s.userId !== c.var.principal!.userId) throw new HttpError(404, 'PAYMENT_SESSION_NOT_FOUND', 'Payment not found')
    return c.json(sessionView(s))
  })
  .post('/payment/:paymentId/booking', requireUser, validate('param', PaymentParam), async (c) => {
    const deps = c.var.deps.bookings
    const r = await createBookingForPayment(deps, { sessionId: c.req.valid('param').paymentId, caller: caller(c), requestId: c.var.requestId })
    if (!r.ok) return refuse(c, r.error)
    // Called directly, the booking's nights are put on the calendar in the same request.
    const blocked = r.value.status === 'PENDING' ? await blockBookingNights(deps, { bookingId: r.value.id, caller: caller(c), requestId: c.var.requestId }) : r
    if (!blocked.ok) return refuse(c, blocked.error)
    return c.json(bookingView(blocked.value))
  })
  .get('/payment/:paymentId/booking', requireUser, validate('param', PaymentParam), async (c) => {
    // One read: a payment's booking belongs to the payment's owner, so the owner check is on it.
    const booking = await c.var.deps.bookings.bookings.findByPayment(c.req.valid('param').paymentId as PaymentSessionId)
    if (!booking || booking.userId !== c.var.principal!.userId) throw new HttpError(404, 'BOOKING_NOT_FOUND', 'No booking for this payment (yet)')
    return c.json(bookingView(booking))
  })
  .post('/bookings/:bookingId/update-calendar', requireUser, validate('param', BookingParam), async (c) => {
    const r = await blockBookingNights(c.var.deps.bookings, { bookingId: c.req.valid('param').bookingId, caller: caller(c), requestId: c.var.requestId })
    if (!r.ok) return refuse(c, r.error)
    return c.json({})
  })
  .post('/bookings/:bookingId/conversation', requireUser, validate('param', BookingParam), async (c) => {
    const r = await openConversation(c.var.deps.bookings, { bookingId: c.req.valid('param').bookingId, caller: caller(c) })
    if (!r.ok) return refuse(c, r.error)
    return c.json({ threadId: r.value.threadId })
  })
  .post('/bookings/:bookingId/send-confirmation', requireUser, validate('param', BookingParam), async (c) => {
    const r = await sendConfirmation(c.var.deps.bookings, { bookingId: c.req.valid('param').bookingId, caller: caller(c) })
    if (!r.ok) return refuse(c, r.error)
    return c.json({})
  })
  .post('/bookings', requireUser, idempotency(), validate('json', CreateBookingRequest), async (c) => {
    const b = c.req.valid('json')
    const r = await createDirectBooking(c.var.deps.bookings, { userId: c.var.principal!.userId, ...b, requestId: c.var.requestId })
    if (!r.ok) return refuse(c, r.error)
    return c.json(bookingView(r.value), 201)
  })
  .delete('/bookings/:bookingId', requireUser, validate('param', BookingParam), async (c) => {
    const r = await cancelBooking(c.var.deps.bookings, { bookingId: c.req.valid('param').bookingId, userId: c.var.principal!.userId, requestId: c.var.requestId })
    if (!r.ok) return refuse(c, r.error)
    return c.json({ booking: bookingView(r.value.booking), refund: r.value.refund ? refundView(r.value.refund) : null })
  })
  .get('/user/bookings', requireUser, validate('query', ListQuery), async (c) => {
    const q = c.req.valid('query')
    const list = await c.var.deps.bookings.bookings.listForUser(c.var.principal!.userId, { limit: q.limit, ...(q.before && { before: q.before as BookingId }) })
    const last = list.at(-1)
    return c.json({ bookings: list.map(bookingView), nextBefore: list.length === q.limit && last ? last.id : null })
  })
  .get('/user/auction-awards', requireUser, async (c) => {
    const awards = await c.var.deps.bookings.auctions.listForUser(c.var.principal!.userId)
    return c.json({ awards: awards.map(awardView) })
  })
  .post('/second-chance-offers/:offerId/accept', requireUser, validate('param', OfferParam), async (c) => {
    const r = await acceptOffer(c.var.deps.bookings, { offerId: c.req.valid('param').offerId, userId: c.var.principal!.userId, requestId: c.var.requestId })
    if (!r.ok) return refuse(c, r.error)
    return c.json({ award: awardView(r.value) })
  })
  .post('/second-chance-offers/:offerId/decline', requireUser, validate('param', OfferParam), async (c) => {
    const r = await declineOffer(c.var.deps.bookings, { offerId: c.req.valid('param').offerId, userId: c.var.principal!.userId, requestId: c.var.requestId })
    if (!r.ok) return refuse(c, r.error)
    return c.json({ award: awardView(r.value) })
  })
  .get('/properties/:propertyId/calendar', requireUser, validate('param', PropertyParam), validate('query', CalendarQuery), async (c) => {
    const deps = c.var.deps.bookings
    const q = c.req.valid('query')
    const from = q.from ?? nightOf(deps.clock.now())
    const to = q.to ?? addDays(from, 90)
    // One read (the property and its nights); an unknown property still answers 404 before a bad range's 400.
    const calendar = await deps.properties.calendar(c.req.valid('param').propertyId as PropertyId, from, to)
    if (!calendar) throw new HttpError(404, 'PROPERTY_NOT_FOUND', 'Property not found')
    if (to < from) throw new HttpError(400, 'VALIDATION_FAILED', 'to must not be before from')
    return c.json({ property: propertyView(calendar.property), from, to, booked: calendar.booked })
  })

export const bookingAdminRoutes = new Hono<AppEnv>()
  .post('/properties', requireAdmin, idempotency(), validate('json', CreatePropertyRequest), async (c) => {
    const p = await createProperty(c.var.deps.bookings, { ...c.req.valid('json'), actor: c.var.principal!.userId, requestId: c.var.requestId })
    return c.json({ property: propertyView(p) }, 201)
  })
  .post('/auctions', requireAdmin, idempotency(), validate('json', CreateAuctionRequest), async (c) => {
    const b = c.req.valid('json')
    const deps = c.var.deps.bookings
    const r = await createAuction(deps, {
      propertyId: b.propertyId,
      nights: b.nights,
      endsAt: b.endsAt ? new Date(b.endsAt) : new Date(deps.clock.now().getTime() + 7 * 24 * 3600 * 1000),
      actor: c.var.principal!.userId,
      requestId: c.var.requestId,
    })
    if (!r.ok) return refuse(c, r.error)
    return c.json({ auction: auctionView(r.value) }, 201)
  })
  .post('/auctions/:auctionId/results', requireAdmin, idempotency(), validate('param', AuctionParam), validate('json', RecordResultsRequest), async (c) => {
    const r = await recordAuctionResults(c.var.deps.bookings, {
      auctionId: c.req.valid('param').auctionId,
      awards: c.req.valid('json').awards.map((a) => ({ ...a, paymentDeadline: new Date(a.paymentDeadline) })),
      actor: c.var.principal!.userId,
      requestId: c.var.requestId,
    })
    if (!r.ok) return refuse(c, r.error)
    const { auction, awards } = r.value
    return c.json({ auction: auctionView(auction), awards: awards.map((a) => ({ ...awardView(a), result: resultOf(a, auction) })) }, 201)
  })
  .post('/awards/:awardId/lapse', requireAdmin, validate('param', AwardParam), async (c) => {
    const r = await lapseAwardNow(c.var.deps.bookings, { awardId: c.req.valid('param').awardId, actor: c.var.principal!.userId, requestId: c.var.requestId })
    if (!r.ok) return refuse(c, r.error)
    return c.json({ lapsed: awardView(r.value.lapsed), offer: r.value.offer ? awardView(r.value.offer) : null })
  })

// ---- docs -------------------------------------------------------------------------------------

const v1 = (path: string) => `/api/v1${path}`
const ZaloPayCallbackBody = z.object({ data: z.string(), mac: z.string(), type: z.number().int() })
const ZaloPayReply = z.object({ return_code: z.number().int(), return_message: z.string() })

export const bookingDocs: RouteDoc[] = [
  {
    method: 'post',
    path: v1('/payment/zalopay/create'),
    summary: 'Seed 003 §1: pay an award with ZaloPay (amount and nights must equal the award); a retry returns the open session',
    tag: 'bookings',
    auth: 'user',
    idempotent: true,
    body: CreatePaymentRequest,
    responses: { 200: { description: 'The ZaloPay order', schema: CreatePaymentResponse }, ...errors(400, 401, 404, 409, 422, 503), 502: { description: 'ZaloPay refused the order' } },
  },
  {
    method: 'post',
    path: v1('/payment/zalopay/callback'),
    summary: "ZaloPay's server-to-server callback (key2 MAC); answers ZaloPay's {return_code, return_message}",
    tag: 'bookings',
    auth: 'signature',
    body: ZaloPayCallbackBody,
    responses: { 200: { description: '1 ack, 0 retry later, -1 MAC refused', schema: ZaloPayReply } },
  },
  {
    method: 'get',
    path: v1('/payment/zalopay/status/:appTransId'),
    summary: "Seed 003 §2: the payment's status, checked with ZaloPay's query API (recovers a lost callback)",
    tag: 'bookings',
    auth: 'user',
    params: AppTransParam,
    responses: { 200: { description: 'Status', schema: VerificationView }, ...errors(400, 401, 404, 503) },
  },
  {
    method: 'get',
    path: v1('/payment/sessions/:sessionId'),
    summary: 'Seed 003 §3: my payment session (404 for anyone else)',
    tag: 'bookings',
    auth: 'user',
    params: SessionParam,
    responses: { 200: { description: 'The session', schema: PaymentSessionView }, ...errors(400, 401, 404) },
  },
  {
    method: 'get',
    path: v1('/payment/transactions/:transactionId'),
    summary: "Seed 003 §4: my payment by ZaloPay's zp_trans_id (404 for anyone else)",
    tag: 'bookings',
    auth: 'user',
    params: TransactionParam,
    responses: { 200: { description: 'The session', schema: PaymentSessionView }, ...errors(400, 401, 404) },
  },
  {
    method: 'post',
    path: v1('/payment/:paymentId/booking'),
    summary: 'Seed 003 §5: create (or get) the booking of my paid payment and block its nights',
    tag: 'bookings',
    auth: 'user',
    params: PaymentParam,
    responses: { 200: { description: 'The booking', schema: BookingView }, ...errors(400, 401, 404, 409) },
  },
  {
    method: 'get',
    path: v1('/payment/:paymentId/booking'),
    summary: 'Seed 003 §6: the booking of my payment; 404 until it exists',
    tag: 'bookings',
    auth: 'user',
    params: PaymentParam,
    responses: { 200: { description: 'The booking', schema: BookingView }, ...errors(400, 401, 404) },
  },
  {
    method: 'post',
    path: v1('/bookings/:bookingId/update-calendar'),
    summary: 'Seed 003 §7: block the booking’s nights (idempotent; the backend usually did it)',
    tag: 'bookings',
    auth: 'user',
    params: BookingParam,
    responses: { 200: { description: 'Blocked', schema: z.object({}) }, ...errors(400, 401, 404, 409) },
  },
  {
    method: 'post',
    path: v1('/bookings/:bookingId/conversation'),
    summary: 'Seed 003 §8: the conversation thread with the host (created once)',
    tag: 'bookings',
    auth: 'user',
    params: BookingParam,
    responses: { 200: { description: 'The thread', schema: z.object({ threadId: z.string() }) }, ...errors(400, 401, 404, 409) },
  },
  {
    method: 'post',
    path: v1('/bookings/:bookingId/send-confirmation'),
    summary: 'Seed 003 §9: queue the confirmation email (once per booking)',
    tag: 'bookings',
    auth: 'user',
    params: BookingParam,
    responses: { 200: { description: 'Queued (or already)', schema: z.object({}) }, ...errors(400, 401, 404, 409) },
  },
  {
    method: 'post',
    path: v1('/bookings'),
    summary: 'Seed 003 §10: book nights directly (not through an auction); of two bookings for a night one wins',
    tag: 'bookings',
    auth: 'user',
    idempotent: true,
    body: CreateBookingRequest,
    responses: { 201: { description: 'Confirmed', schema: BookingView }, ...errors(400, 401, 404, 409, 422) },
  },
  {
    method: 'get',
    path: v1('/user/bookings'),
    summary: 'Seed 003 §10: my bookings, newest first (cursor: nextBefore)',
    tag: 'bookings',
    auth: 'user',
    query: ListQuery,
    responses: { 200: { description: 'A page', schema: z.object({ bookings: z.array(BookingView), nextBefore: z.string().nullable() }) }, ...errors(400, 401) },
  },
  {
    method: 'delete',
    path: v1('/bookings/:bookingId'),
    summary: 'Seed 003 §10: cancel my booking before check-in; frees the nights; a ZaloPay payment is refunded',
    tag: 'bookings',
    auth: 'user',
    params: BookingParam,
    responses: { 200: { description: 'Cancelled', schema: z.object({ booking: BookingView, refund: RefundView.nullable() }) }, ...errors(400, 401, 404, 409) },
  },
  {
    method: 'get',
    path: v1('/user/auction-awards'),
    summary: 'My auction awards and second-chance offers',
    tag: 'bookings',
    auth: 'user',
    responses: { 200: { description: 'Awards', schema: z.object({ awards: z.array(AwardView) }) }, ...errors(401) },
  },
  {
    method: 'post',
    path: v1('/second-chance-offers/:offerId/accept'),
    summary: 'Accept a second-chance offer: it becomes payable for 24 hours',
    tag: 'bookings',
    auth: 'user',
    params: OfferParam,
    responses: { 200: { description: 'Accepted', schema: z.object({ award: AwardView }) }, ...errors(400, 401, 404, 409) },
  },
  {
    method: 'post',
    path: v1('/second-chance-offers/:offerId/decline'),
    summary: 'Decline a second-chance offer: the next bidder is asked',
    tag: 'bookings',
    auth: 'user',
    params: OfferParam,
    responses: { 200: { description: 'Declined', schema: z.object({ award: AwardView }) }, ...errors(400, 401, 404, 409) },
  },
  {
    method: 'get',
    path: v1('/properties/:propertyId/calendar'),
    summary: 'A property and its booked nights between from and to (default: the next 90 days)',
    tag: 'bookings',
    auth: 'user',
    params: PropertyParam,
    query: CalendarQuery,
    responses: { 200: { description: 'Calendar', schema: z.object({ property: PropertyView, from: z.string(), to: z.string(), booked: z.array(z.string()) }) }, ...errors(400, 401, 404) },
  },
  {
    method: 'post',
    path: '/api/admin/properties',
    summary: 'Create a property (host, capacity, nightly rate in VND)',
    tag: 'bookings-admin',
    auth: 'admin',
    idempotent: true,
    body: CreatePropertyRequest,
    responses: { 201: { description: 'Created', schema: z.object({ property: PropertyView }) }, ...errors(400, 401, 403) },
  },
  {
    method: 'post',
    path: '/api/admin/auctions',
    summary: 'Open an auction for free nights of a property',
    tag: 'bookings-admin',
    auth: 'admin',
    idempotent: true,
    body: CreateAuctionRequest,
    responses: { 201: { description: 'Created', schema: z.object({ auction: AuctionView }) }, ...errors(400, 401, 403, 404, 409, 422) },
  },
  {
    method: 'post',
    path: '/api/admin/auctions/:auctionId/results',
    summary: 'Record the results (closes the auction); each winner gets AUCTION_RESULT',
    tag: 'bookings-admin',
    auth: 'admin',
    idempotent: true,
    params: AuctionParam,
    body: RecordResultsRequest,
    responses: { 201: { description: 'Recorded', schema: z.object({ auction: AuctionView, awards: z.array(AwardView.extend({ result: z.enum(['WON', 'PARTIALLY_WON']) })) }) }, ...errors(400, 401, 403, 404, 409, 422) },
  },
  {
    method: 'post',
    path: '/api/admin/awards/:awardId/lapse',
    summary: 'Lapse an unpaid award now; the next bidder gets SECOND_CHANCE_OFFER',
    tag: 'bookings-admin',
    auth: 'admin',
    params: AwardParam,
    responses: { 200: { description: 'Lapsed', schema: z.object({ lapsed: AwardView, offer: AwardView.nullable() }) }, ...errors(400, 401, 403, 404, 409) },
  },
]
