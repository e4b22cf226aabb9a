import { createRoute } from '@hono/zod-openapi'
import { z } from 'zod'
import type { JobHandler } from '../platform/http/jobs.ts'
import { errorResponses, guard, json, jsonBody, routesOf } from '../platform/http/route-kit.ts'
import { instant } from '../platform/http/schemas.ts'
import { RECONCILIATION_JOBS } from './deps.ts'
import { ACTIONS, type ReconciliationReport } from './domain/mismatch.ts'
import { acknowledgeMismatch } from './use-cases/acknowledge.ts'
import { buildReport, runScheduledReport } from './use-cases/build-report.ts'

const MAX_WINDOW_MS = 31 * 24 * 3600 * 1000

const Since = instant.describe(
  'compare records created or updated at or after this instant (at most 31 days back); default: the last 24 hours',
)

const ReportQuery = z.object({
  since: Since.optional(),
  fresh: z.enum(['true', 'false']).default('false').describe('true: compute a report now instead of returning the last stored one'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe(
      'records compared per section in a fresh report (default 100). Gateway calls grow with it (up to ~6 per record over all sections); Workers Paid allows 10,000 subrequests per request',
    ),
})

const MismatchView = z.looseObject({ kind: z.string(), fingerprint: z.string(), action: z.string() })
const AcknowledgedView = MismatchView.extend({ note: z.string(), acknowledged_by: z.string(), acknowledged_at: z.string() })
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
  mismatches: z.array(MismatchView).describe('open mismatches'),
  acknowledged: z.array(AcknowledgedView).describe('mismatches an operator accepted as they are; not counted in mismatch_count'),
})

const KINDS = Object.keys(ACTIONS) as [keyof typeof ACTIONS, ...Array<keyof typeof ACTIONS>]
const AcknowledgeBody = z.object({
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'the fingerprint of a listed mismatch (64 lowercase hex characters)')
    .describe('the `fingerprint` of the mismatch as the report lists it'),
  kind: z.enum(KINDS).describe('the mismatch kind, as listed (a guard against pasting the wrong fingerprint)'),
  note: z.string().trim().min(3).max(1000).describe('why it is accepted as it is: who checked, what was done'),
})
const AcknowledgementView = z.object({
  fingerprint: z.string(),
  kind: z.string(),
  note: z.string(),
  acknowledged_by: z.string(),
  acknowledged_at: z.string(),
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
  checked: { ...r.checked },
  truncated: [...r.truncated],
  unchecked: [...r.unchecked],
  mismatches: r.mismatches.map((m) => ({ ...(snakeKeys(m) as z.infer<typeof MismatchView>), action: ACTIONS[m.kind] })),
  // Reports stored before acknowledgements existed have none.
  acknowledged: (r.acknowledged ?? []).map((m) => ({ ...(snakeKeys(m) as z.infer<typeof AcknowledgedView>), action: ACTIONS[m.kind] })),
})

const sinceDate = (iso: string | undefined, now: Date): Date | undefined => {
  if (iso === undefined) return undefined
  const d = new Date(iso)
  return d.getTime() < now.getTime() - MAX_WINDOW_MS ? new Date(now.getTime() - MAX_WINDOW_MS) : d
}

const report = createRoute({
  method: 'get',
  path: '/reconciliation',
  summary:
    'Reconciliation report (issue 7): every mismatch between our payments, refunds, orders, stock, ZaloPay sessions, PayPay cashbacks and points ledger and the gateways. The last stored report (job reconciliation.report, hourly), or a fresh one with fresh=true or since',
  tags: ['reconciliation'],
  ...guard('admin'),
  request: { query: ReportQuery },
  responses: {
    200: json(ReportView, 'The report; each mismatch names its kind, ids, both sides and an action'),
    ...errorResponses(400, 401, 403, 503),
  },
})

const acknowledge = createRoute({
  method: 'post',
  path: '/reconciliation/acknowledgements',
  summary:
    'Accept one listed mismatch as it is, with a note. It then appears under `acknowledged` instead of `mismatches` for as long as both sides stay exactly as they were; if either moves, it is listed again. Acknowledging the same fingerprint twice keeps the first note (200)',
  tags: ['reconciliation'],
  ...guard('admin'),
  request: { body: jsonBody(AcknowledgeBody) },
  responses: {
    201: json(AcknowledgementView, 'Acknowledged'),
    200: json(AcknowledgementView, 'Already acknowledged: the first acknowledgement, unchanged'),
    ...errorResponses(400, 401, 403, 503),
  },
})

/** Mounted under /api/admin. */
export const reconciliationAdminRoutes = routesOf()
  .openapi(report, async (c) => {
    const q = c.req.valid('query')
    const deps = c.var.deps.reconciliation
    if (q.fresh === 'false' && q.since === undefined && q.limit === undefined) {
      const last = await deps.reports.latest()
      if (last) return c.json(view(last, 'stored'), 200)
    }
    const since = sinceDate(q.since, deps.clock.now())
    return c.json(view(await buildReport(deps, { ...(since && { since }), ...(q.limit && { pageSize: q.limit }) }), 'fresh'), 200)
  })
  .openapi(acknowledge, async (c) => {
    const body = c.req.valid('json')
    const actor = c.var.principal.userId
    const { created, acknowledgement: a } = await acknowledgeMismatch(c.var.deps.reconciliation, {
      ...body,
      actor,
      requestId: c.var.requestId,
    })
    if (created) c.var.logger.info('reconciliation mismatch acknowledged', { fingerprint: a.fingerprint, kind: a.kind, actor })
    const out: z.infer<typeof AcknowledgementView> = {
      fingerprint: a.fingerprint,
      kind: a.kind,
      note: a.note,
      acknowledged_by: a.acknowledgedBy,
      acknowledged_at: a.acknowledgedAt.toISOString(),
    }
    return created ? c.json(out, 201) : c.json(out, 200)
  })

const JobPayload = z.object({ since: Since.optional() }).nullable()

export const reconciliationJobs: Record<string, JobHandler> = {
  [RECONCILIATION_JOBS.report]: async (c, payload) => {
    const p = JobPayload.safeParse(payload)
    const deps = c.var.deps.reconciliation
    const since = p.success ? sinceDate(p.data?.since, deps.clock.now()) : undefined
    const r = await runScheduledReport(deps, since ? { since } : {})
    return {
      report_id: r.id,
      mismatches: r.mismatches.length,
      unchecked: r.unchecked.length,
      kinds: [...new Set(r.mismatches.map((m) => m.kind))],
    }
  },
}
