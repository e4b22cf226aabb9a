/**
 * The /__control API tests drive instead of a person or PayPay's back office: link users without a
 * browser, revoke or expire authorizations, settle cashbacks and reversals, lose Give answers,
 * rate-limit or take the API down, inspect every call received and every notification sent.
 * (/__control/faults is the shared FaultPlan contract, routed before these.)
 */
import type { Context, Hono } from 'hono'
import { type ControlEnv, controlApp } from '../shared/http-kit.ts'
import { authorizationStatus, linkUser, maskPhone, randomPhone } from './authorizations.ts'
import type { SandboxContext } from './context.ts'
import { cashbackDetails, reversalDetails } from './details.ts'
import { settleCashback, settleDue, SettleError, settleReversal, type Outcome } from './settlement.ts'
import type { UserAuthorization } from './store.ts'

const OUTCOMES: readonly Outcome[] = ['SUCCESS', 'FAILURE']
/** A lost answer hangs this long before the connection drops, unless the call says otherwise. */
const DEFAULT_LOSE_DELAY_MS = 30_000

export function controlRoutes(ctx: SandboxContext): Hono<ControlEnv> {
  return controlApp()
    .use('/__control/*', async (_c, next) => {
      settleDue(ctx)
      await next()
    })
    .post('/__control/cashbacks/lose-next', (c) => {
      const times = c.var.input['times'] ?? 1
      const delayMs = c.var.input['delayMs'] ?? DEFAULT_LOSE_DELAY_MS
      if (!isCount(times) || !isCount(delayMs, 0))
        return c.json({ error: 'times must be a positive integer, delayMs a non-negative integer' }, 400)
      ctx.loseGive = { times, delayMs }
      return c.json({ loseGive: ctx.loseGive })
    })
    .post('/__control/cashbacks/:id/settle', (c) => {
      const cashback = ctx.store.cashbacks.get(c.req.param('id'))
      if (!cashback) return c.json({ error: 'cashback not found' }, 404)
      const outcome = str(c.var.input, 'outcome') as Outcome
      if (!OUTCOMES.includes(outcome)) return c.json({ error: 'outcome must be SUCCESS or FAILURE' }, 400)
      return settled(
        c,
        () => settleCashback(ctx, cashback, outcome, failure(c.var.input)),
        () => ({ cashback: cashbackDetails(ctx, cashback), failure: cashback.failure }),
      )
    })
    .post('/__control/reversals/:id/settle', (c) => {
      const input = c.var.input
      const r = ctx.store.reversals.get(c.req.param('id'))
      if (!r) return c.json({ error: 'reversal not found' }, 404)
      const outcome = str(input, 'outcome') as Outcome
      if (!OUTCOMES.includes(outcome)) return c.json({ error: 'outcome must be SUCCESS or FAILURE' }, 400)
      const amount = input['amount']
      if (amount !== undefined && !(isCount(amount, 0) && amount <= r.amount.amount)) {
        return c.json({ error: `amount must be an integer from 0 to ${r.amount.amount}` }, 400)
      }
      const f = failure(input)
      return settled(
        c,
        () => settleReversal(ctx, r, outcome, { ...(amount !== undefined && { reversedAmount: amount }), ...(f && { failure: f }) }),
        () => ({ reversal: reversalDetails(ctx, r), failure: r.failure }),
      )
    })
    .post('/__control/authorizations', (c) => {
      const input = c.var.input
      const scopes = input['scopes'] ?? ['cashback']
      if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string'))
        return c.json({ error: 'scopes must be an array of strings' }, 400)
      const phoneNumber = str(input, 'phoneNumber') ?? randomPhone()
      const profileIdentifier = str(input, 'profileIdentifier') ?? maskPhone(phoneNumber)
      const referenceId = str(input, 'referenceId')
      const a = linkUser(ctx, {
        phoneNumber,
        scopes: scopes as string[],
        profileIdentifier,
        ...(referenceId !== undefined && { referenceId }),
      })
      return c.json(authorizationView(ctx, a))
    })
    .post('/__control/authorizations/:id/revoke', (c) => {
      const a = ctx.store.authorizations.get(c.req.param('id'))
      if (!a) return c.json({ error: 'authorization not found' }, 404)
      const reason = str(c.var.input, 'reason') ?? 'revoked'
      if (reason === 'revoked') a.revoked = true
      else if (reason === 'expired') a.expireAt = Math.min(a.expireAt, ctx.now())
      else return c.json({ error: 'reason must be revoked or expired' }, 400)
      ctx.log(`authorization ${a.userAuthorizationId}: ${reason} by control call`)
      return c.json(authorizationView(ctx, a))
    })
    .get('/__control/requests', (c) => {
      const id = c.req.query('merchantCashbackId') ?? null
      const op = c.req.query('operation') ?? null
      const calls = ctx.requests.calls.filter((r) => (id === null || r.merchantCashbackId === id) && (op === null || r.operation === op))
      return c.json({ requests: calls })
    })
    .get('/__control/notifications', (c) => {
      const id = c.req.query('merchantCashbackId') ?? null
      return c.json({ deliveries: ctx.notifications.log.filter((d) => id === null || d.merchantCashbackId === id) })
    })
    .post('/__control/rate-limit', (c) => {
      const perSecond = c.var.input['perSecond']
      if (!isCount(perSecond, 0)) return c.json({ error: 'perSecond must be a non-negative integer (0 = off)' }, 400)
      ctx.rateLimit.perSecond = perSecond
      ctx.rateLimit.reset()
      return c.json({ perSecond })
    })
    .post('/__control/maintenance', (c) => {
      const on = c.var.input['on']
      if (typeof on !== 'boolean') return c.json({ error: 'on must be a boolean' }, 400)
      ctx.maintenance = on
      return c.json({ maintenance: ctx.maintenance })
    })
    .get('/__control/state', (c) =>
      c.json({
        apiKey: ctx.creds.apiKey,
        merchantId: ctx.creds.merchantId,
        sessions: [...ctx.store.sessions.values()].map((s) => ({ ...s, linkQRCodeURL: `${ctx.publicUrl}/link/${s.id}` })),
        authorizations: [...ctx.store.authorizations.values()].map((a) => authorizationView(ctx, a)),
        cashbacks: [...ctx.store.cashbacks.values()].map((cb) => ({
          ...cashbackDetails(ctx, cb),
          ...(cb.expiryDate !== undefined && { expiryDate: cb.expiryDate }),
          ...(cb.failure && { failure: cb.failure }),
          reversible: ctx.store.reversibleAmount(cb),
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
      }),
    )
    .delete('/__control/reset', (c) => {
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
      return c.json({ ok: true })
    })
    .all('/__control/*', (c) => c.json({ error: `unknown control route ${c.req.method} ${new URL(c.req.url).pathname}` }, 404))
}

function settled(c: Context, settle: () => void, view: () => unknown): Response {
  try {
    settle()
  } catch (err) {
    if (err instanceof SettleError) return c.json({ error: err.message }, 409)
    throw err
  }
  return c.json(view())
}

function str(input: Record<string, unknown>, k: string): string | undefined {
  const v = input[k]
  return typeof v === 'string' ? v : undefined
}

/** The injected failure a settle call names with code / message / codeId, if any. */
function failure(input: Record<string, unknown>) {
  const code = str(input, 'code')
  if (code === undefined) return undefined
  const message = str(input, 'message')
  const codeId = str(input, 'codeId')
  return { code, ...(message !== undefined && { message }), ...(codeId !== undefined && { codeId }) }
}

function authorizationView(ctx: SandboxContext, a: UserAuthorization) {
  return { ...a, status: authorizationStatus(a, ctx.now()) }
}

function isCount(v: unknown, min = 1): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min
}
