/**
 * How accepted cashbacks and reversals end (docs/protocols/paypay-opa.md: ACCEPTED → SUCCESS |
 * FAILURE). Each becomes due settleDelayMs after acceptance by the injectable clock; a real-time
 * timer and every incoming request look for due ones, so a fake clock only has to be advanced.
 * Control calls settle directly. A settled cashback sends its result notification.
 */
import { CODES, type FailureReason } from './codes.ts'
import type { SandboxContext } from './context.ts'
import { cashbackDetails, toSeconds } from './details.ts'
import type { Cashback, Reversal } from './store.ts'

/** 365 days, extended by each payment / balance grant (docs/protocols/paypay-opa.md, "Account link"). */
export const AUTHORIZATION_VALIDITY_MS = 365 * 24 * 60 * 60 * 1000

export type Outcome = 'SUCCESS' | 'FAILURE'

export class SettleError extends Error {}

/** The one documented grant failure, used when a control call gives no other reason. */
const DEFAULT_FAILURE: FailureReason = {
  code: CODES.NOT_ENOUGH_MONEY.code,
  message: CODES.NOT_ENOUGH_MONEY.message,
  codeId: CODES.NOT_ENOUGH_MONEY.codeId,
}

export function scheduleSettlement(ctx: SandboxContext, delayMs: number): void {
  if (!Number.isFinite(delayMs)) return
  const timer = setTimeout(() => {
    ctx.timers.delete(timer)
    settleDue(ctx)
    // Timers may fire a millisecond before the clock says the grant is due: wait for the rest.
    const now = ctx.now()
    let next = Infinity
    for (const c of ctx.store.cashbacks.values())
      if (c.status === 'ACCEPTED' && Number.isFinite(c.settleAt)) next = Math.min(next, c.settleAt)
    for (const r of ctx.store.reversals.values())
      if (r.status === 'ACCEPTED' && Number.isFinite(r.settleAt)) next = Math.min(next, r.settleAt)
    if (next !== Infinity && next > now && next - now <= delayMs) scheduleSettlement(ctx, next - now + 1)
  }, delayMs)
  ctx.timers.add(timer)
}

export function settleDue(ctx: SandboxContext): void {
  const now = ctx.now()
  // Settled as of when they fell due, not when noticed: with a jumped clock, a grant must not
  // extend an authorization from a later date than it really happened.
  for (const c of ctx.store.cashbacks.values())
    if (c.status === 'ACCEPTED' && now >= c.settleAt) settleCashback(ctx, c, 'SUCCESS', undefined, c.settleAt)
  for (const r of ctx.store.reversals.values())
    if (r.status === 'ACCEPTED' && now >= r.settleAt) settleReversal(ctx, r, 'SUCCESS', {}, r.settleAt)
}

export function settleCashback(ctx: SandboxContext, c: Cashback, outcome: Outcome, failure?: Partial<FailureReason>, at = ctx.now()): void {
  if (c.status !== 'ACCEPTED') throw new SettleError(`cashback ${c.merchantCashbackId} is already ${c.status}`)
  c.status = outcome
  c.settledAt = at
  if (outcome === 'FAILURE') c.failure = { ...DEFAULT_FAILURE, ...failure }
  else {
    const auth = ctx.store.authorizations.get(c.userAuthorizationId)
    if (auth && !auth.revoked) auth.expireAt = Math.max(auth.expireAt, at + AUTHORIZATION_VALIDITY_MS)
  }
  ctx.log(`cashback ${c.merchantCashbackId}: ${outcome}${c.failure ? ` (${c.failure.code})` : ''}`)
  if (ctx.notificationUrl) {
    // Body shape [UNCONFIRMED]: the details the backend would read anyway, plus a type tag.
    ctx.notifications.send(c.merchantCashbackId, ctx.notificationUrl, {
      notification_type: 'Cashback',
      merchant_id: ctx.creds.merchantId,
      notified_at: toSeconds(ctx.now()),
      ...cashbackDetails(ctx, c),
    })
  }
}

/** @param reversedAmount what was actually taken back, when less than requested (points already spent) */
export function settleReversal(
  ctx: SandboxContext,
  r: Reversal,
  outcome: Outcome,
  opts: { reversedAmount?: number; failure?: Partial<FailureReason> } = {},
  at = ctx.now(),
): void {
  if (r.status !== 'ACCEPTED') throw new SettleError(`reversal ${r.merchantCashbackReversalId} is already ${r.status}`)
  r.status = outcome
  r.settledAt = at
  // No reversal failure code is documented: without one from the control call, Check Reversal
  // Details reports data.status FAILURE under resultInfo SUCCESS.
  const f = opts.failure
  if (outcome === 'FAILURE') {
    if (f?.code) r.failure = { code: f.code, message: f.message ?? f.code, codeId: f.codeId ?? 'SBX05000' }
  } else r.reversedAmount = opts.reversedAmount ?? r.amount.amount
  ctx.log(`reversal ${r.merchantCashbackReversalId}: ${outcome}`)
}
