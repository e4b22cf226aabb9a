import { prefixedId } from '../../shared/ids.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import type { AuctionId, Award } from '../domain/auction.ts'
import { bookingErrors, type BookingError } from '../domain/errors.ts'
import { sameNights } from '../domain/nights.ts'
import { isOpen, type PaymentSession, type PaymentSessionId } from '../domain/payment-session.ts'
import { appTransIdFor, isToday } from '../domain/zalopay-ids.ts'
import type { PaymentGateway } from '../ports.ts'
import { bestEffort, type BookingDeps } from '../deps.ts'
import { settlePayment } from './settle-payment.ts'

export interface CreatePaymentCommand {
  readonly userId: string
  readonly auctionId: string
  readonly selectedNights: readonly string[]
  /** What the client believes it pays: checked against the award, never used. */
  readonly amount: number
  readonly orderInfo: string
  readonly guestCount: number
  readonly requestId: string
}

export interface CreatedPayment {
  readonly session: PaymentSession
  /** False when an open session of the same award was returned (a retry). */
  readonly created: boolean
}

/**
 * Seed 003 §1. Only the holder of an AWARDED claim (a winner, or a user who accepted an offer) may
 * pay, exactly the awarded nights and amount, before the deadline. A retry finds the open session
 * and its ZaloPay order instead of creating another; a session whose ZaloPay call never answered
 * is re-sent with the same app_trans_id (ZaloPay refuses a duplicate, so at most one order exists).
 */
export async function createZaloPayPayment(deps: BookingDeps, cmd: CreatePaymentCommand): Promise<Result<CreatedPayment, BookingError>> {
  const now = deps.clock.now()
  const auction = await deps.auctions.find(cmd.auctionId as AuctionId)
  if (!auction) return err(bookingErrors.auctionNotFound(cmd.auctionId))
  const award = await deps.auctions.latestClaim(auction.id, cmd.userId)
  if (!award) return err(bookingErrors.awardNotFound(auction.id))
  if (award.status === 'PAID') {
    const paid = await deps.sessions.findLive(award.id)
    return err(bookingErrors.alreadyPaid(paid?.id ?? ''))
  }
  if (award.status !== 'AWARDED') return err(bookingErrors.awardNotPayable(award.status))
  if (!sameNights(cmd.selectedNights, award.nights)) return err(bookingErrors.nightsMismatch(award.nights))
  if (cmd.amount !== award.amount) return err(bookingErrors.amountMismatch(award.amount, cmd.amount))
  const property = await deps.properties.find(auction.propertyId)
  if (!property) return err(bookingErrors.propertyNotFound(auction.propertyId))
  if (cmd.guestCount > property.maxGuests) return err(bookingErrors.tooManyGuests(property.maxGuests))
  const gateway = deps.gateway
  if (!gateway) return err(bookingErrors.gatewayNotConfigured())

  const live = await deps.sessions.findLive(award.id)
  if (live) {
    const resumed = await resume(deps, gateway, live, cmd.requestId)
    if (resumed) return resumed
  }
  if (award.paymentDeadline && award.paymentDeadline.getTime() <= now.getTime())
    return err(bookingErrors.deadlinePassed(award.paymentDeadline))
  return openNew(deps, gateway, award, cmd, property.name)
}

/** What to do with the award's open (or paid) session; null when a new one should be opened. */
async function resume(
  deps: BookingDeps,
  gateway: PaymentGateway,
  live: PaymentSession,
  requestId: string,
): Promise<Result<CreatedPayment, BookingError> | null> {
  const now = deps.clock.now()
  if (live.status === 'PAID') return err(bookingErrors.alreadyPaid(live.id))
  if (live.status === 'PENDING' && live.expiresAt.getTime() > now.getTime()) return ok({ session: live, created: false })
  if (live.status === 'CREATED' && live.expiresAt.getTime() > now.getTime() && isToday(live.appTransId, now)) {
    return sendOrder(deps, gateway, live, requestId)
  }
  // Past its time (or its app_trans_id's day): settle it with ZaloPay's word before going on.
  const settled = await settlePayment(deps, live, await gateway.queryOrder(live.appTransId), { source: 'create', requestId })
  if (settled.session.status === 'PAID') return err(bookingErrors.alreadyPaid(live.id))
  if (isOpen(settled.session.status)) {
    const failed = await deps.sessions.transition(
      live.id,
      settled.session.status,
      'fail',
      { failureReason: 'ORDER_ABANDONED' },
      {
        actor: 'system:create-payment',
        action: 'payment_session.failed',
        entityType: 'payment_session',
        entityId: live.id,
        requestId,
        at: now,
      },
    )
    if (!failed) return err(bookingErrors.sessionBusy(live.id))
  }
  return null
}

async function openNew(
  deps: BookingDeps,
  gateway: PaymentGateway,
  award: Award,
  cmd: CreatePaymentCommand,
  propertyName: string,
): Promise<Result<CreatedPayment, BookingError>> {
  const now = deps.clock.now()
  const id = prefixedId('ps', now.getTime()) as PaymentSessionId
  const session: PaymentSession = {
    id,
    auctionId: award.auctionId,
    awardId: award.id,
    userId: cmd.userId,
    amount: award.amount,
    currency: award.currency,
    nights: award.nights,
    guestCount: cmd.guestCount,
    status: 'CREATED',
    appTransId: appTransIdFor(id, now),
    appTime: now.getTime(),
    description: cmd.orderInfo.trim() || `Booking for ${propertyName}`,
    orderUrl: null,
    zpTransToken: null,
    transactionId: null,
    failureReason: null,
    paidAt: null,
    expiresAt: new Date(now.getTime() + deps.settings.sessionTtlMs),
    createdAt: now,
    updatedAt: now,
  }
  const opened = await deps.sessions.open(session, {
    actor: cmd.userId,
    action: 'payment_session.created',
    entityType: 'payment_session',
    entityId: id,
    requestId: cmd.requestId,
    at: now,
    data: { award_id: award.id, amount: award.amount, app_trans_id: session.appTransId },
  })
  if ('awardGone' in opened) return err(bookingErrors.awardNotPayable('no longer awarded'))
  if (!opened.created) {
    // A concurrent create won the race: answer with its session once its order exists.
    const other = opened.session
    if (other.status === 'PAID') return err(bookingErrors.alreadyPaid(other.id))
    return other.status === 'PENDING' ? ok({ session: other, created: false }) : err(bookingErrors.sessionBusy(other.id))
  }
  return sendOrder(deps, gateway, opened.session, cmd.requestId)
}

/** Creates the ZaloPay order of a CREATED session (first time or re-sent after a lost answer). */
async function sendOrder(
  deps: BookingDeps,
  gateway: PaymentGateway,
  s: PaymentSession,
  requestId: string,
): Promise<Result<CreatedPayment, BookingError>> {
  const now = deps.clock.now()
  const answer = await gateway.createOrder({
    appTransId: s.appTransId,
    appUser: s.userId.length <= 50 ? s.userId : s.userId.slice(0, 50),
    appTime: now.getTime(),
    amount: s.amount,
    description: s.description.slice(0, 256),
    item: JSON.stringify([
      { itemid: s.awardId, itemname: s.description.slice(0, 100), itemprice: s.amount, itemquantity: s.nights.length },
    ]),
    embedData: JSON.stringify({ redirecturl: `${deps.settings.frontendBaseUrl.replace(/\/$/, '')}/dashboard/payment/zalopay/${s.id}` }),
    callbackUrl: deps.settings.callbackUrl,
    expireSeconds: Math.max(300, Math.round((s.expiresAt.getTime() - now.getTime()) / 1000)),
  })
  const audit = (action: string, data?: Record<string, unknown>) => ({
    actor: s.userId,
    action,
    entityType: 'payment_session',
    entityId: s.id,
    requestId,
    at: now,
    ...(data && { data }),
  })
  if (answer.ok) {
    const moved = await deps.sessions.transition(
      s.id,
      'CREATED',
      'order_created',
      { orderUrl: answer.orderUrl, zpTransToken: answer.zpTransToken },
      audit('payment_session.order_created'),
    )
    const session = moved ?? (await deps.sessions.find(s.id)) ?? s
    if (moved) {
      await bestEffort(deps, 'PAYMENT_STATUS push', () =>
        deps.events.publish(
          { type: 'PAYMENT_STATUS', paymentId: s.id, userId: s.userId, status: 'INITIATED' },
          { key: `payment-status:${s.id}:INITIATED` },
        ),
      )
    }
    return session.status === 'PENDING' || session.status === 'PAID' ? ok({ session, created: true }) : err(bookingErrors.sessionBusy(s.id))
  }
  if (answer.duplicate) {
    // An earlier attempt reached ZaloPay but its answer (and the order URL) was lost. Settle the
    // order by its status; if it is still payable nobody can reach it, so give it up.
    const settled = await settlePayment(deps, s, await gateway.queryOrder(s.appTransId), { source: 'create', requestId })
    if (settled.session.status === 'PAID') return err(bookingErrors.alreadyPaid(s.id))
    if (isOpen(settled.session.status)) {
      await deps.sessions.transition(
        s.id,
        settled.session.status,
        'fail',
        { failureReason: 'ORDER_URL_LOST' },
        audit('payment_session.failed'),
      )
    }
    return err(bookingErrors.gatewayRejected(answer.subCode, 'the order was created by an earlier attempt; retry to open a new one'))
  }
  await deps.sessions.transition(
    s.id,
    'CREATED',
    'fail',
    { failureReason: `ZALOPAY_${answer.subCode}` },
    audit('payment_session.failed', { sub_return_code: answer.subCode }),
  )
  return err(bookingErrors.gatewayRejected(answer.subCode, answer.message))
}
