import { createRoute } from '@hono/zod-openapi'
import { HttpError } from '../../platform/http/errors.ts'
import { ErrorEnvelope, errorResponses, guard, json, jsonBody, routesOf } from '../../platform/http/route-kit.ts'
import type { PaymentSessionId } from '../domain/payment-session.ts'
import { verificationStatus } from '../domain/payment-session.ts'
import { createZaloPayPayment } from '../use-cases/create-payment.ts'
import { blockBookingNights, createBookingForPayment } from '../use-cases/fulfil-booking.ts'
import { checkPaymentStatus } from '../use-cases/payment-status.ts'
import { handleZaloPayCallback } from '../use-cases/zalopay-callback.ts'
import { refuseBooking } from './refusals.ts'
import { AppTransParam, CreatePaymentRequest, PaymentParam, SessionParam, TransactionParam, ZaloPayCallbackBodyDoc } from './requests.ts'
import {
  BookingView,
  bookingView,
  CreatePaymentResponse,
  PaymentSessionView,
  sessionView,
  VerificationView,
  ZaloPayReply,
} from './views.ts'

/** Seed 003 §1-§6: paying an award with ZaloPay, the payment's state, and its booking. */

const create = createRoute({
  method: 'post',
  path: '/payment/zalopay/create',
  summary: 'Seed 003 §1: pay an award with ZaloPay (amount and nights must equal the award); a retry returns the open session',
  tags: ['bookings'],
  ...guard('user', { idempotent: true }),
  request: { body: jsonBody(CreatePaymentRequest) },
  responses: {
    200: json(CreatePaymentResponse, 'The ZaloPay order'),
    ...errorResponses(400, 401, 404, 409, 422, 503),
    502: json(ErrorEnvelope, 'ZaloPay refused the order (GATEWAY_REJECTED)'),
  },
})

// ZaloPay's server-to-server callback: no bearer token; the key2 MAC over the raw body is the
// authentication, so the body is documented (a JSON Schema object) but never parsed by a validator.
const callback = createRoute({
  method: 'post',
  path: '/payment/zalopay/callback',
  summary: "ZaloPay's server-to-server callback (key2 MAC); answers ZaloPay's {return_code, return_message}",
  tags: ['bookings'],
  ...guard('signature'),
  request: { body: { required: true, content: { 'application/json': { schema: ZaloPayCallbackBodyDoc } } } },
  responses: { 200: json(ZaloPayReply, '1 ack, 0 retry later, -1 MAC refused') },
})

const status = createRoute({
  method: 'get',
  path: '/payment/zalopay/status/{appTransId}',
  summary: "Seed 003 §2: the payment's status, checked with ZaloPay's query API (recovers a lost callback)",
  tags: ['bookings'],
  ...guard('user'),
  request: { params: AppTransParam },
  responses: { 200: json(VerificationView, 'Status'), ...errorResponses(400, 401, 404, 503) },
})

const session = createRoute({
  method: 'get',
  path: '/payment/sessions/{sessionId}',
  summary: 'Seed 003 §3: my payment session (404 for anyone else)',
  tags: ['bookings'],
  ...guard('user'),
  request: { params: SessionParam },
  responses: { 200: json(PaymentSessionView, 'The session'), ...errorResponses(400, 401, 404) },
})

const transaction = createRoute({
  method: 'get',
  path: '/payment/transactions/{transactionId}',
  summary: "Seed 003 §4: my payment by ZaloPay's zp_trans_id (404 for anyone else)",
  tags: ['bookings'],
  ...guard('user'),
  request: { params: TransactionParam },
  responses: { 200: json(PaymentSessionView, 'The session'), ...errorResponses(400, 401, 404) },
})

const createBooking = createRoute({
  method: 'post',
  path: '/payment/{paymentId}/booking',
  summary: 'Seed 003 §5: create (or get) the booking of my paid payment and block its nights',
  tags: ['bookings'],
  ...guard('user'),
  request: { params: PaymentParam },
  responses: { 200: json(BookingView, 'The booking'), ...errorResponses(400, 401, 404, 409) },
})

const booking = createRoute({
  method: 'get',
  path: '/payment/{paymentId}/booking',
  summary: 'Seed 003 §6: the booking of my payment; 404 until it exists',
  tags: ['bookings'],
  ...guard('user'),
  request: { params: PaymentParam },
  responses: { 200: json(BookingView, 'The booking'), ...errorResponses(400, 401, 404) },
})

export const paymentRoutes = routesOf()
  .openapi(callback, async (c) => {
    const reply = await handleZaloPayCallback(c.var.deps.bookings, await c.req.text(), c.var.requestId)
    return c.json(reply, 200)
  })
  .openapi(create, async (c) => {
    const b = c.req.valid('json')
    const r = await createZaloPayPayment(c.var.deps.bookings, {
      userId: c.var.principal.userId,
      auctionId: b.auctionId,
      selectedNights: b.selectedNights,
      amount: b.amount,
      orderInfo: b.orderInfo,
      guestCount: b.guestCount,
      requestId: c.var.requestId,
    })
    if (!r.ok) refuseBooking(c.var.logger, r.error)
    const s = r.value.session
    return c.json(
      {
        orderUrl: s.orderUrl ?? '',
        appTransId: s.appTransId,
        amount: s.amount,
        sessionId: s.id,
        paymentId: s.id,
        expiresAt: s.expiresAt.toISOString(),
      },
      200,
    )
  })
  .openapi(status, async (c) => {
    const r = await checkPaymentStatus(c.var.deps.bookings, {
      appTransId: c.req.valid('param').appTransId,
      userId: c.var.principal.userId,
      requestId: c.var.requestId,
    })
    if (!r.ok) refuseBooking(c.var.logger, r.error)
    const s = r.value
    const status = verificationStatus(s.status)
    return c.json(
      {
        status,
        ...(s.transactionId && status === 'PAID' && { transactionId: s.transactionId }),
        amount: s.amount,
        ...(s.paidAt && { paidAt: s.paidAt.toISOString() }),
      },
      200,
    )
  })
  .openapi(session, async (c) => {
    const s = await c.var.deps.bookings.sessions.find(c.req.valid('param').sessionId as PaymentSessionId)
    if (!s || s.userId !== c.var.principal.userId) throw new HttpError(404, 'PAYMENT_SESSION_NOT_FOUND', 'Payment session not found')
    return c.json(sessionView(s), 200)
  })
  .openapi(transaction, async (c) => {
    const s = await c.var.deps.bookings.sessions.findByTransactionId(c.req.valid('param').transactionId)
    if (!s || s.userId !== c.var.principal.userId) throw new HttpError(404, 'PAYMENT_SESSION_NOT_FOUND', 'Payment not found')
    return c.json(sessionView(s), 200)
  })
  .openapi(createBooking, async (c) => {
    const deps = c.var.deps.bookings
    const caller = { userId: c.var.principal.userId }
    const r = await createBookingForPayment(deps, { sessionId: c.req.valid('param').paymentId, caller, requestId: c.var.requestId })
    if (!r.ok) refuseBooking(c.var.logger, r.error)
    // Called directly, the booking's nights are put on the calendar in the same request.
    const blocked =
      r.value.status === 'PENDING' ? await blockBookingNights(deps, { bookingId: r.value.id, caller, requestId: c.var.requestId }) : r
    if (!blocked.ok) refuseBooking(c.var.logger, blocked.error)
    return c.json(bookingView(blocked.value), 200)
  })
  .openapi(booking, async (c) => {
    // One read: a payment's booking belongs to the payment's owner, so the owner check is on it.
    const found = await c.var.deps.bookings.bookings.findByPayment(c.req.valid('param').paymentId as PaymentSessionId)
    if (!found || found.userId !== c.var.principal.userId)
      throw new HttpError(404, 'BOOKING_NOT_FOUND', 'No booking for this payment (yet)')
    return c.json(bookingView(found), 200)
  })
