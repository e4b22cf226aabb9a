import { createRoute } from '@hono/zod-openapi'
import type { z } from 'zod'
import { errorResponses, guard, json, routesOf } from '../../platform/http/route-kit.ts'
import type { LedgerEntryId } from '../domain/ledger.ts'
import type { LoyaltyDeps } from '../deps.ts'
import { viewPoints } from '../use-cases/points.ts'
import { PointsQuery } from './schemas.ts'
import { entryView, PointsResponse } from './views.ts'

/** A user's balance and a page of their ledger, newest first (theirs, or any user's for an admin). */
export async function pointsPage(
  deps: LoyaltyDeps,
  userId: string,
  q: z.infer<typeof PointsQuery>,
): Promise<z.infer<typeof PointsResponse>> {
  const view = await viewPoints(deps, userId, { limit: q.limit, ...(q.before && { before: q.before as LedgerEntryId }) })
  return { balance: view.balance, entries: view.entries.map(entryView), next_before: view.nextBefore }
}

const myPoints = createRoute({
  method: 'get',
  path: '/points',
  summary: 'My points balance and ledger, newest first (cursor: next_before)',
  tags: ['loyalty'],
  ...guard('user'),
  request: { query: PointsQuery },
  responses: { 200: json(PointsResponse, 'Balance and entries'), ...errorResponses(400, 401) },
})

/** Mounted under /api/v1. */
export const pointsRoutes = routesOf().openapi(myPoints, async (c) =>
  c.json(await pointsPage(c.var.deps.loyalty, c.var.principal.userId, c.req.valid('query')), 200),
)
