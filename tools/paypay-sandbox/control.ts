/**
 * The /__control API tests drive instead of a person or PayPay's back office: link users without a
 * browser, revoke or expire authorizations, settle cashbacks and reversals, lose Give answers,
 * rate-limit or take the API down, inspect every call received and every notification sent.
 * (/__control/faults is the shared FaultPlan contract, routed before this.)
 */
import type { ServerResponse } from 'node:http'
import { sendJson } from '../shared/http-kit.ts'
import { authorizationStatus, linkUser, maskPhone, randomPhone } from './authorizations.ts'
import type { SandboxContext } from './context.ts'
import { cashbackDetails, reversalDetails } from './details.ts'
import { settleCashback, settleDue, SettleError, settleReversal, type Outcome } from './settlement.ts'
import type { UserAuthorization } from './store.ts'

const OUTCOMES: readonly Outcome[] = ['SUCCESS', 'FAILURE']
/** A lost answer hangs this long before the connection drops, unless the call says otherwise. */
const DEFAULT_LOSE_DELAY_MS = 30_000

export function handleControl(ctx: SandboxContext, method: string, url: URL, body: Buffer, res: ServerResponse): void {
  const path = url.pathname
  const input = readJsonBody(body)
  if (input === null) return sendJson(res, 400, { error: 'body must be a JSON object' })
  const str = (k: string) => (typeof input[k] === 'string' ? input[k] : undefined)
  const failure = () => {
    const code = str('code')
    return code === undefined
      ? undefined
      : {
          code,
          ...(str('message') !== undefined && { message: str('message')! }),
          ...(str('codeId') !== undefined && { codeId: str('codeId')! }),
        }
  }
  settleDue(ctx)

  if (path === '/__control/cashbacks/lose-next' && method === 'POST') {
    const times = input['times'] ?? 1
    const delayMs = input['delayMs'] ?? DEFAULT_LOSE_DELAY_MS
    if (!isCount(times) || !isCount(delayMs, 0))
      return sendJson(res, 400, { error: 'times must be a positive integer, delayMs a non-negative integer' })
    ctx.loseGive = { times, delayMs }
    return sendJson(res, 200, { loseGive: ctx.loseGive })
  }

  const cashbackSettle = /^\/__control\/cashbacks\/([^/]+)\/settle$/.exec(path)
  if (cashbackSettle && method === 'POST') {
    const c = ctx.store.cashbacks.get(decodeURIComponent(cashbackSettle[1]!))
    if (!c) return sendJson(res, 404, { error: 'cashback not found' })
    const outcome = str('outcome') as Outcome
    if (!OUTCOMES.includes(outcome)) return sendJson(res, 400, { error: 'outcome must be SUCCESS or FAILURE' })
    return settled(
      res,
      () => settleCashback(ctx, c, outcome, failure()),
      () => ({ cashback: cashbackDetails(ctx, c), failure: c.failure }),
    )
  }

  const reversalSettle = /^\/__control\/reversals\/([^/]+)\/settle$/.exec(path)
  if (reversalSettle && method === 'POST') {
    const r = ctx.store.reversals.get(decodeURIComponent(reversalSettle[1]!))
    if (!r) return sendJson(res, 404, { error: 'reversal not found' })
    const outcome = str('outcome') as Outcome
    if (!OUTCOMES.includes(outcome)) return sendJson(res, 400, { error: 'outcome must be SUCCESS or FAILURE' })
    const amount = input['amount']
    if (amount !== undefined && !(isCount(amount, 0) && amount <= r.amount.amount)) {
      return sendJson(res, 400, { error: `amount must be an integer from 0 to ${r.amount.amount}` })
    }
    const f = failure()
    return settled(
      res,
      () => settleReversal(ctx, r, outcome, { ...(amount !== undefined && { reversedAmount: amount }), ...(f && { failure: f }) }),
      () => ({ reversal: reversalDetails(ctx, r), failure: r.failure }),
    )
  }

  if (path === '/__control/authorizations' && method === 'POST') {
    const scopes = input['scopes'] ?? ['cashback']
    if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string'))
      return sendJson(res, 400, { error: 'scopes must be an array of strings' })
    const phoneNumber = str('phoneNumber') ?? randomPhone()
    const profileIdentifier = str('profileIdentifier') ?? maskPhone(phoneNumber)
    const referenceId = str('referenceId')
    const a = linkUser(ctx, {
      phoneNumber,
      scopes: scopes as string[],
      profileIdentifier,
      ...(referenceId !== undefined && { referenceId }),
    })
    return sendJson(res, 200, authorizationView(ctx, a))
  }

  const revoke = /^\/__control\/authorizations\/([^/]+)\/revoke$/.exec(path)
  if (revoke && method === 'POST') {
    const a = ctx.store.authorizations.get(decodeURIComponent(revoke[1]!))
    if (!a) return sendJson(res, 404, { error: 'authorization not found' })
    const reason = str('reason') ?? 'revoked'
    if (reason === 'revoked') a.revoked = true
    else if (reason === 'expired') a.expireAt = Math.min(a.expireAt, ctx.now())
    else return sendJson(res, 400, { error: 'reason must be revoked or expired' })
    ctx.log(`authorization ${a.userAuthorizationId}: ${reason} by control call`)
    return sendJson(res, 200, authorizationView(ctx, a))
  }

  if (path === '/__control/requests' && method === 'GET') {
    const id = url.searchParams.get('merchantCashbackId')
    const op = url.searchParams.get('operation')
    const calls = ctx.requests.calls.filter((c) => (id === null || c.merchantCashbackId === id) && (op === null || c.operation === op))
    return sendJson(res, 200, { requests: calls })
  }

  if (path === '/__control/notifications' && method === 'GET') {
    const id = url.searchParams.get('merchantCashbackId')
    return sendJson(res, 200, { deliveries: ctx.notifications.log.filter((d) => id === null || d.merchantCashbackId === id) })
  }

  if (path === '/__control/rate-limit' && method === 'POST') {
    const perSecond = input['perSecond']
    if (!isCount(perSecond, 0)) return sendJson(res, 400, { error: 'perSecond must be a non-negative integer (0 = off)' })
    ctx.rateLimit.perSecond = perSecond
    ctx.rateLimit.reset()
    return sendJson(res, 200, { perSecond })
  }

  if (path === '/__control/maintenance' && method === 'POST') {
    if (typeof input['on'] !== 'boolean') return sendJson(res, 400, { error: 'on must be a boolean' })
    ctx.maintenance = input['on']
    return sendJson(res, 200, { maintenance: ctx.maintenance })
  }

  if (path === '/__control/state' && method === 'GET') {
    return sendJson(res, 200, {
      apiKey: ctx.creds.apiKey,
      merchantId: ctx.creds.merchantId,
      sessions: [...ctx.store.sessions.values()].map((s) => ({ ...s, linkQRCodeURL: `${ctx.publicUrl}/link/${s.id}` })),
      authorizations: [...ctx.store.authorizations.values()].map((a) => authorizationView(ctx, a)),
      cashbacks: [...ctx.store.cashbacks.values()].map((c) => ({
        ...cashbackDetails(ctx, c),
        ...(c.expiryDate !== undefined && { expiryDate: c.expiryDate }),
        ...(c.failure && { failure: c.failure }),
        reversible: ctx.store.reversibleAmount(c),
      })),
      reversals: [...ctx.store.reversals.values()].map((r) => ({
        ...reversalDetails(ctx, r),
        requestedAmount: r.amount.amount,
        ...(r.failure && { failure: r.failure }),
      })),
      maintenance: ctx.maintenance,
      rateLimitPerSecond: ctx.rateLimit.perSecond,
      loseGive: ctx.loseGive ?? null,
      requests: ctx.requests.calls.length,
      deliveries: ctx.notifications.log.length,
    })
  }

  if (path === '/__control/reset' && method === 'DELETE') {
    ctx.store.clear()
    ctx.notifications.reset()
    ctx.faults.clear()
    ctx.requests.clear()
    ctx.nonces.clear()
    for (const t of ctx.timers) clearTimeout(t)
    ctx.timers.clear()
    ctx.rateLimit.perSecond = ctx.rateLimitPerSecond
    ctx.rateLimit.reset()
    ctx.maintenance = false
    ctx.loseGive = undefined
    return sendJson(res, 200, { ok: true })
  }

  return sendJson(res, 404, { error: `unknown control route ${method} ${path}` })
}

function settled(res: ServerResponse, settle: () => void, view: () => unknown): void {
  try {
    settle()
  } catch (err) {
    if (err instanceof SettleError) return sendJson(res, 409, { error: err.message })
    throw err
  }
  sendJson(res, 200, view())
}

function authorizationView(ctx: SandboxContext, a: UserAuthorization) {
  return { ...a, status: authorizationStatus(a, ctx.now()) }
}

function isCount(v: unknown, min = 1): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min
}

/** Parses a JSON control-API body; an empty body is `{}`. */
function readJsonBody(body: Buffer): Record<string, unknown> | null {
  const text = body.toString('utf8').trim()
  if (text === '') return {}
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null
  } catch {
    return null
  }
}
