/**
 * Makes QStash's schedules match src/platform/schedules.ts: creates or updates each declared one
 * (the schedule id is its name, so QStash upserts) and deletes ours that are no longer declared.
 * Talks to whatever QSTASH_URL points at: the dev server locally, real QStash in production.
 */
import { Client } from '@upstash/qstash'
import { SCHEDULES, type ScheduleSpec } from '../../src/platform/schedules.ts'
import { jobUrl } from '../../src/platform/qstash-queue.ts'

export interface SyncResult {
  upserted: string[]
  deleted: string[]
}

/** Schedules this service owns carry this id prefix, so others in the same QStash account are left alone. */
const OWNED_PREFIX = 'edge-payments.'

export async function syncSchedules(opts: {
  qstashUrl: string
  token: string
  publicBaseUrl: string
  schedules?: readonly ScheduleSpec[]
}): Promise<SyncResult> {
  const client = new Client({ baseUrl: opts.qstashUrl, token: opts.token })
  const wanted = opts.schedules ?? SCHEDULES
  const upserted: string[] = []
  for (const s of wanted) {
    await client.schedules.create({
      scheduleId: OWNED_PREFIX + s.name,
      destination: jobUrl(opts.publicBaseUrl, s.name),
      cron: s.cron,
      body: JSON.stringify({ schedule: s.name }),
      headers: { 'content-type': 'application/json' },
    })
    upserted.push(s.name)
  }
  const keep = new Set(wanted.map((s) => OWNED_PREFIX + s.name))
  const deleted: string[] = []
  for (const existing of await client.schedules.list()) {
    if (existing.scheduleId.startsWith(OWNED_PREFIX) && !keep.has(existing.scheduleId)) {
      await client.schedules.delete(existing.scheduleId)
      deleted.push(existing.scheduleId.slice(OWNED_PREFIX.length))
    }
  }
  return { upserted, deleted }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = process.env
  const result = await syncSchedules({
    qstashUrl: env['QSTASH_URL'] ?? 'http://127.0.0.1:8080',
    token: env['QSTASH_TOKEN'] ?? 'dev-qstash-token',
    publicBaseUrl: env['PUBLIC_BASE_URL'] ?? 'http://127.0.0.1:8787',
  })
  console.log(`schedules upserted: ${result.upserted.join(', ') || '(none)'}; deleted: ${result.deleted.join(', ') || '(none)'}`)
}
