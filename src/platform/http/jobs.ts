import { createRoute } from '@hono/zod-openapi'
import { Receiver } from '@upstash/qstash'
import type { Context } from 'hono'
import { z } from 'zod'
import { jobUrl } from '../qstash-queue.ts'
import type { AppEnv } from './app-env.ts'
import { HttpError } from './errors.ts'
import { errorResponses, guard, json, routesOf } from './route-kit.ts'

export interface JobMeta {
  readonly messageId: string | null
  /** How many times QStash already retried this message (0 on first delivery). */
  readonly retried: number
  readonly scheduleId: string | null
}

/**
 * A job must be safe to run more than once: QStash delivers at least once. Throwing (or answering
 * 5xx) makes QStash retry with backoff and, after the last retry, dead-letter the message.
 */
export type JobHandler = (c: Context<AppEnv>, payload: unknown, meta: JobMeta) => Promise<Record<string, unknown>>

const JobParam = z.object({ name: z.string().describe('the job, e.g. platform.heartbeat') })
const JobAnswer = z
  .looseObject({ status: z.enum(['ok', 'dropped']) })
  .describe("`ok` with the job's own result, or `dropped` for a body that is not JSON")

// No `request.body`: the signature covers the raw bytes, which the handler reads itself.
const job = createRoute({
  method: 'post',
  path: '/jobs/{name}',
  summary: 'QStash job delivery (signed by QStash; see src/platform/schedules.ts for scheduled jobs)',
  description: "The body is the job's JSON payload as published; the Upstash-Signature JWT covers its raw bytes and this URL.",
  tags: ['jobs'],
  ...guard('qstash'),
  request: { params: JobParam },
  responses: { 200: json(JobAnswer, 'Job ran'), ...errorResponses(401, 404) },
})

/**
 * `POST /jobs/{name}`: verifies the Upstash-Signature JWT (current or next signing key, body hash,
 * destination URL) with QStash's own Receiver before reading anything, then runs the named job.
 */
export function jobRoutes(handlers: Readonly<Record<string, JobHandler>>) {
  return routesOf().openapi(
    job,
    async (c) => {
      const name = c.req.param('name')
      const { config, logger } = c.var.deps
      const signature = c.req.header('upstash-signature')
      const body = await c.req.text()
      if (!signature) throw new HttpError(401, 'SIGNATURE_MISSING', 'Upstash-Signature header required')
      const receiver = new Receiver({
        currentSigningKey: config.QSTASH_CURRENT_SIGNING_KEY,
        nextSigningKey: config.QSTASH_NEXT_SIGNING_KEY,
      })
      const valid = await receiver.verify({ signature, body, url: jobUrl(config.PUBLIC_BASE_URL, name) }).catch(() => false)
      if (!valid) throw new HttpError(401, 'SIGNATURE_INVALID', 'Upstash-Signature does not verify')

      const handler = handlers[name]
      if (!handler) throw new HttpError(404, 'JOB_NOT_FOUND', `No job named ${name}`)
      let payload: unknown = null
      if (body !== '') {
        try {
          payload = JSON.parse(body)
        } catch {
          // A body that will never parse must not be retried forever: acknowledge and log it.
          logger.error('job body is not JSON; dropped', { job: name })
          return c.json({ status: 'dropped' as const, reason: 'body is not JSON' }, 200)
        }
      }
      const meta: JobMeta = {
        messageId: c.req.header('upstash-message-id') ?? null,
        retried: Number(c.req.header('upstash-retried') ?? '0') || 0,
        scheduleId: c.req.header('upstash-schedule-id') ?? null,
      }
      const result = await handler(c, payload, meta)
      logger.info('job done', { job: name, message_id: meta.messageId, retried: meta.retried })
      return c.json({ status: 'ok' as const, ...result }, 200)
    },
    // The name is checked against the job table after the signature, never before: no hook refusal
    // (e.g. of a NUL) may answer an unsigned caller anything but 401.
    () => undefined,
  )
}
