import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { countFigure } from '../../support/figures.ts'

/**
 * The dead-letter path: a job QStash gave up on (here: retries 0 and a destination where the
 * Worker under test does not listen, so the one delivery fails) is listed by the admin endpoint
 * and replayed from it, deduplicated per letter, and leaves the DLQ.
 */
const e = env as unknown as Record<string, string>
const qstash = async (method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) => {
  const res = await fetch(`${e['QSTASH_URL']}${path}`, {
    method,
    headers: { authorization: `Bearer ${e['QSTASH_TOKEN']}`, ...init.headers },
    ...(init.body !== undefined && { body: init.body }),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

/** Publishes one job message straight to QStash with no retries; resolves once it is dead-lettered. */
async function deadLetteredJob(name: string, payload: unknown): Promise<{ messageId: string; body: string }> {
  const body = JSON.stringify(payload)
  const published = await qstash('POST', `/v2/publish/${e['PUBLIC_BASE_URL']}/jobs/${name}`, {
    headers: { 'content-type': 'application/json', 'upstash-retries': '0' },
    body,
  })
  expect(published.status, JSON.stringify(published.body)).toBe(201)
  const messageId = published.body.messageId as string
  await expect.poll(async () => (await qstash('GET', `/v2/messages/${messageId}`)).body.state, { timeout: 10_000 }).toBe('FAILED')
  return { messageId, body }
}

const listed = async (job: string) => {
  const res = await call('GET', `/api/admin/dead-letters?job=${job}`, { token: await adminToken() })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body.dead_letters as Array<Record<string, any>>
}

describe('dead letters (QStash DLQ)', () => {
  it('lists a job QStash gave up on, replays it once with the same body, and removes it', async () => {
    const payload = { kind: 'payment_receipt', payment_id: `pay_DLQ${uniq()}` }
    const { messageId, body } = await deadLetteredJob('payments.email', payload)
    const letter = (await listed('payments.email')).find((d) => d.message_id === messageId)
    expect(letter).toMatchObject({
      job: 'payments.email',
      url: `${e['PUBLIC_BASE_URL']}/jobs/payments.email`,
      method: 'POST',
      body,
      max_retries: 0,
    })
    expect(letter!.id).toMatch(/^dlq_/)
    expect(Date.parse(letter!.created_at)).not.toBeNaN()

    countFigure('dead letters replayed')
    // Two admins replay at once: one new message, whatever the interleaving.
    const admin = await adminToken()
    const replays = await Promise.all([1, 2].map(() => call('POST', `/api/admin/dead-letters/${letter!.id}/replay`, { token: admin })))
    const ok = replays.filter((r) => r.status === 200)
    expect(ok.length).toBeGreaterThanOrEqual(1)
    for (const r of replays) expect([200, 404]).toContain(r.status)
    expect(new Set(ok.map((r) => r.body.message_id)).size).toBe(1)
    const replayed = ok[0]!.body
    expect(replayed).toMatchObject({ replayed: true, id: letter!.id, job: 'payments.email' })
    expect(replayed.message_id).not.toBe(messageId)

    // The new message carries exactly the dead letter's destination, body and retry budget.
    const message = (await qstash('GET', `/v2/messages/${replayed.message_id}`)).body
    expect(message).toMatchObject({ url: letter!.url, body, maxRetries: 0 })
    expect(message.header['content-type']).toBe('application/json')
    expect((await listed('payments.email')).some((d) => d.id === letter!.id)).toBe(false)
    // Replaying a letter that is gone is a clear 404.
    const again = await call('POST', `/api/admin/dead-letters/${letter!.id}/replay`, { token: admin })
    expect(again.status).toBe(404)
    expect(again.body.error.code).toBe('DEAD_LETTER_NOT_FOUND')
  })

  it('is admin-only and validates its input', async () => {
    expect((await call('GET', '/api/admin/dead-letters')).status).toBe(401)
    expect((await call('GET', '/api/admin/dead-letters', { token: await token(`u-${uniq()}`) })).status).toBe(403)
    expect((await call('POST', '/api/admin/dead-letters/dlq_x/replay', { token: await token(`u-${uniq()}`) })).status).toBe(403)
    const admin = await adminToken()
    expect((await call('GET', '/api/admin/dead-letters?job=bad%20name', { token: admin })).status).toBe(400)
    expect((await call('GET', '/api/admin/dead-letters?nope=1', { token: admin })).status).toBe(400)
    expect((await call('POST', '/api/admin/dead-letters/not%20an%20id/replay', { token: admin })).status).toBe(400)
    expect((await call('POST', `/api/admin/dead-letters/dlq_${uniq()}/replay`, { token: admin })).status).toBe(404)
  })
})
