import { createRoute } from '@hono/zod-openapi'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import { errorResponses, guard, json, refuse, routesOf } from '../platform/http/route-kit.ts'
import type { DeadLetter, OperationsErrorCode } from './domain/dead-letter.ts'
import { listDeadLetters } from './use-cases/list-dead-letters.ts'
import { replayDeadLetter } from './use-cases/replay-dead-letter.ts'

// ---- schemas -----------------------------------------------------------------------------------

const ListQuery = z.strictObject({
  cursor: z.string().min(1).max(200).optional(),
  job: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/)
    .optional(),
})

const IdParam = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/) })

const DeadLetterView = z.object({
  id: z.string(),
  message_id: z.string(),
  job: z.string().nullable(),
  url: z.string(),
  method: z.string(),
  body: z.string().describe('the published body, exactly as it will be replayed'),
  max_retries: z.number().int(),
  created_at: z.string(),
  response_status: z.number().int().nullable().describe('the last delivery answer; null when it never answered'),
  response_body: z.string().nullable(),
})

const ListResponse = z.object({ dead_letters: z.array(DeadLetterView), next_cursor: z.string().nullable() })
const ReplayResponse = z.object({ replayed: z.literal(true), id: z.string(), job: z.string().nullable(), message_id: z.string() })

const STATUS: Record<OperationsErrorCode, ContentfulStatusCode> = {
  DEAD_LETTER_NOT_FOUND: 404,
}

const view = (d: DeadLetter): z.infer<typeof DeadLetterView> => ({
  id: d.id,
  message_id: d.messageId,
  job: d.job,
  url: d.url,
  method: d.method,
  body: d.body,
  max_retries: d.maxRetries,
  created_at: d.createdAt.toISOString(),
  response_status: d.responseStatus,
  response_body: d.responseBody,
})

// ---- routes (mounted under /api/admin) ---------------------------------------------------------

const list = createRoute({
  method: 'get',
  path: '/dead-letters',
  summary: 'Job messages QStash dead-lettered after their last retry',
  tags: ['operations'],
  ...guard('admin'),
  request: { query: ListQuery },
  responses: { 200: json(ListResponse, 'A page of dead letters'), ...errorResponses(400, 401, 403, 503) },
})

const replay = createRoute({
  method: 'post',
  path: '/dead-letters/{id}/replay',
  summary: 'Publish a dead letter again (deduplicated per letter) and remove it from the DLQ',
  tags: ['operations'],
  ...guard('admin'),
  request: { params: IdParam },
  responses: { 200: json(ReplayResponse, 'Re-published'), ...errorResponses(400, 401, 403, 404, 503) },
})

export const operationsAdminRoutes = routesOf()
  .openapi(list, async (c) => {
    const q = c.req.valid('query')
    const page = await listDeadLetters(c.var.deps.operations, {
      ...(q.cursor !== undefined && { cursor: q.cursor }),
      ...(q.job !== undefined && { job: q.job }),
    })
    return c.json({ dead_letters: page.items.map(view), next_cursor: page.cursor }, 200)
  })
  .openapi(replay, async (c) => {
    const id = c.req.valid('param').id
    const result = await replayDeadLetter(c.var.deps.operations, id)
    if (!result.ok) refuse(result.error, STATUS)
    const { letter, messageId } = result.value
    c.var.logger.warn('dead letter replayed', { dlq_id: id, job: letter.job, message_id: messageId, actor: c.var.principal.userId })
    return c.json({ replayed: true as const, id, job: letter.job, message_id: messageId }, 200)
  })
