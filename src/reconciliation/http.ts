import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../platform/http/app-env.ts'
import { requireAdmin } from '../platform/http/auth-middleware.ts'
import type { JobHandler } from '../platform/http/jobs.ts'
import { errors, type RouteDoc } from '../platform/http/openapi.ts'
import { validate } from '../platform/http/validation.ts'
import { ACTIONS, type ReconciliationReport } from './domain/mismatch.ts'
import { buildReport, runScheduledReport } from './use-cases/build-report.ts'

export const RECONCILIATION_JOB = 'reconciliation.report'
const MAX_WINDOW_MS = 31 * 24 * 3600 * 1000

const Since = z.iso
  .datetime({ offset: true })
  .describe('compare records created or updated at or after this instant (at most 31 days back); default: the last 24 hours')

const ReportQuery = z.object({
  since: Since.optional(),
  fresh: z.enum(['true', 'false']).default('false').describe('true: compute a report now instead of returning the last stored one'),
})

const MismatchView = z.looseObject({ kind: z.string(), action: z.string() })
export const ReportView = z.object({
  id: z.string(),
  source: z.enum(['stored', 'fresh']),
  generated_at: z.string(),
  since: z.string(),
  duration_ms: z.number(),
  mismatch_count: z.number(),
  checked: z.record(z.string(), z.number()),
  truncated: z.array(z.string()),
  unchecked: z.array(z.object({ source: z.string(), subject: z.string(), reason: z.string() })),
  mismatches: z.array(MismatchView),
})

const snake = (k: string) => k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`)
function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys)
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [snake(k), snakeKeys(x)]))
  return v
}

const view = (r: ReconciliationReport, source: 'stored' | 'fresh') => ({
  id: r.id,
  source,
  generated_at: r.generatedAt,
  since: r.since,
  duration_ms: r.durationMs,
  mismatch_count: r.mismatches.length,
  checked: r.checked,
  truncated: r.truncated,
  unchecked: r.unchecked,
  mismatches: r.mismatches.map((m) => ({ ...(snakeKeys(m) as Record<string, unknown>), action: ACTIONS[m.kind] })),
})

const sinceDate = (iso: string | undefined, now: Date): Date | undefined => {
  if (iso === undefined) return undefined
  const d = new Date(iso)
  return d.getTime() < now.getTime() - MAX_WINDOW_MS ? new Date(now.getTime() - MAX_WINDOW_MS) : d
}

/** Mounted under /api/admin. */
export const reconciliationAdminRoutes = new Hono<AppEnv>()
  .use('/reconciliation', requireAdmin)
  .get('/reconciliation', validate('query', ReportQuery), async (c) => {
    const q = c.req.valid('query')
    const deps = c.var.deps.reconciliation
    if (q.fresh === 'false' && q.since === undefined) {
      const last = await deps.reports.latest()
      if (last) return c.json(view(last, 'stored'))
    }
    const since = sinceDate(q.since, deps.clock.now())
    return c.json(view(await buildReport(deps, since ? { since } : {}), 'fresh'))
  })

const JobPayload = z.object({ since: Since.optional() }).nullable()

export const reconciliationJobs: Record<string, JobHandler> = {
  [RECONCILIATION_JOB]: async (c, payload) => {
    const p = JobPayload.safeParse(payload)
    const deps = c.var.deps.reconciliation
    const since = p.success ? sinceDate(p.data?.since, deps.clock.now()) : undefined
    const r = await runScheduledReport(deps, since ? { since } : {})
    return { report_id: r.id, mismatches: r.mismatches.length, unchecked: r.unchecked.length, kinds: [...new Set(r.mismatches.map((m) => m.kind))] }
  },
}

export const reconciliationDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/admin/reconciliation',
    summary:
      'Reconciliation report (issue 7): every mismatch between our payments, refunds, orders, stock, ZaloPay sessions, PayPay cashbacks and points ledger and the gateways. The last stored report (job reconciliation.report, hourly), or a fresh one with fresh=true or since',
    tag: 'reconciliation',
    auth: 'admin',
    query: ReportQuery,
    responses: { 200: { description: 'The report; each mismatch names its kind, ids, both sides and an action', schema: ReportView }, ...errors(400, 401, 403, 503) },
  },
]
