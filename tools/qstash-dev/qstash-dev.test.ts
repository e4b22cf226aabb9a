import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Client, Receiver } from '@upstash/qstash'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parseCron } from './cron.ts'
import { startQStashDev, type QStashDev } from './server.ts'

/** The official Client publishes, the official Receiver verifies what the dev server delivers. */
interface Hit {
  path: string
  headers: IncomingHttpHeaders
  body: string
}
let qstash: QStashDev
let client: Client
let receiver: Receiver
let dest: { url: string; hits: Hit[]; plan: number[]; close: () => void }

async function destination() {
  const hits: Hit[] = []
  const plan: number[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body })
      res.writeHead(plan.shift() ?? 200).end('ok')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, plan, close: () => server.close() }
}

beforeAll(async () => {
  qstash = await startQStashDev({
    port: 0,
    token: 'qt',
    currentSigningKey: 'cur',
    nextSigningKey: 'nxt',
    backoffScale: 0.001,
    schedulerEnabled: false,
  })
  client = new Client({ baseUrl: qstash.url, token: 'qt' })
  receiver = new Receiver({ currentSigningKey: 'cur', nextSigningKey: 'nxt' })
  dest = await destination()
})
afterAll(async () => {
  dest.close()
  await qstash.close()
})
beforeEach(async () => {
  dest.hits.length = 0
  dest.plan.length = 0
  await fetch(`${qstash.url}/__control/reset`, { method: 'DELETE' })
})

describe('publish and delivery', () => {
  it('delivers the body and forwarded headers with a signature the Receiver accepts', async () => {
    const { messageId } = await client.publishJSON({ url: `${dest.url}/jobs/a`, body: { hello: 'wörld' }, headers: { 'x-tenant': 't1' } })
    await qstash.drain()
    expect(dest.hits).toHaveLength(1)
    const hit = dest.hits[0]!
    expect(JSON.parse(hit.body)).toEqual({ hello: 'wörld' })
    expect(hit.headers['x-tenant']).toBe('t1')
    expect(hit.headers['content-type']).toBe('application/json')
    expect(hit.headers['upstash-message-id']).toBe(messageId)
    const signature = hit.headers['upstash-signature'] as string
    expect(await receiver.verify({ signature, body: hit.body, url: `${dest.url}/jobs/a` })).toBe(true)
    await expect(receiver.verify({ signature, body: `${hit.body} `, url: `${dest.url}/jobs/a` })).rejects.toThrow(/body hash/)
    await expect(receiver.verify({ signature, body: hit.body, url: `${dest.url}/jobs/b` })).rejects.toThrow(/subject/)
    await expect(new Receiver({ currentSigningKey: 'x', nextSigningKey: 'y' }).verify({ signature, body: hit.body })).rejects.toThrow()
  })

  it('retries failures with Upstash-Retried 0,1,2 until a 2xx', async () => {
    dest.plan.push(500, 503)
    await client.publishJSON({ url: `${dest.url}/r`, body: {} })
    await qstash.drain(60_000)
    expect(dest.hits.map((h) => h.headers['upstash-retried'])).toEqual(['0', '1', '2'])
  })

  it('dead-letters after the last retry; the DLQ lists and deletes it', async () => {
    dest.plan.push(500, 500, 500)
    const { messageId } = await client.publishJSON({ url: `${dest.url}/dead`, body: { n: 1 }, retries: 2 })
    await qstash.drain(60_000)
    expect(dest.hits).toHaveLength(3)
    const { messages } = await client.dlq.listMessages()
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ messageId, responseStatus: 500, body: '{"n":1}' })
    const one = (id: string) => fetch(`${qstash.url}/v2/dlq/${id}`, { headers: { authorization: 'Bearer qt' } })
    expect(await (await one(messages[0]!.dlqId)).json()).toMatchObject({ dlqId: messages[0]!.dlqId, messageId })
    // Narrowed by dlqIds, as the client's listMessages({ dlqIds }) asks.
    expect((await client.dlq.listMessages({ dlqIds: [messages[0]!.dlqId] })).messages.map((m) => m.messageId)).toEqual([messageId])
    expect((await client.dlq.listMessages({ dlqIds: ['dlq_none'] })).messages).toEqual([])
    await client.dlq.delete(messages[0]!.dlqId)
    expect((await client.dlq.listMessages()).messages).toHaveLength(0)
    expect((await one(messages[0]!.dlqId)).status).toBe(404)
  })

  it('deduplicates by id and by content', async () => {
    const a = await client.publishJSON({ url: `${dest.url}/d`, body: { x: 1 }, deduplicationId: 'same' })
    const b = await client.publishJSON({ url: `${dest.url}/d`, body: { x: 2 }, deduplicationId: 'same' })
    const c = await client.publishJSON({ url: `${dest.url}/d`, body: { y: 1 }, contentBasedDeduplication: true })
    const d = await client.publishJSON({ url: `${dest.url}/d`, body: { y: 1 }, contentBasedDeduplication: true })
    expect(b.messageId).toBe(a.messageId)
    expect(d.messageId).toBe(c.messageId)
    await qstash.drain()
    expect(dest.hits).toHaveLength(2)
  })

  it('honours delay and cancellation', async () => {
    const { messageId } = await client.publishJSON({ url: `${dest.url}/later`, body: {}, delay: 60 })
    expect((await client.messages.get(messageId)).messageId).toBe(messageId)
    await client.messages.delete(messageId)
    await qstash.drain()
    expect(dest.hits).toHaveLength(0)
  })

  it('signing with the next key (rotation) still verifies', async () => {
    const rotated = await startQStashDev({
      port: 0,
      token: 'qt',
      currentSigningKey: 'cur',
      nextSigningKey: 'nxt',
      signWith: 'next',
      schedulerEnabled: false,
    })
    try {
      await new Client({ baseUrl: rotated.url, token: 'qt' }).publishJSON({ url: `${dest.url}/rot`, body: {} })
      await rotated.drain()
      const hit = dest.hits[0]!
      expect(await receiver.verify({ signature: hit.headers['upstash-signature'] as string, body: hit.body })).toBe(true)
    } finally {
      await rotated.close()
    }
  })

  it('refuses a wrong token', async () => {
    await expect(new Client({ baseUrl: qstash.url, token: 'bad' }).publishJSON({ url: `${dest.url}/x`, body: {} })).rejects.toThrow()
  })
})

describe('schedules', () => {
  it('upserts by id, lists, pauses, fires on matching minutes only, deletes', async () => {
    const create = () =>
      client.schedules.create({
        scheduleId: 'svc.job',
        destination: `${dest.url}/jobs/svc.job`,
        cron: '*/5 * * * *',
        body: '{"s":1}',
        headers: { 'content-type': 'application/json' },
      })
    expect((await create()).scheduleId).toBe('svc.job')
    await create()
    const list = await client.schedules.list()
    expect(list.map((s) => s.scheduleId)).toEqual(['svc.job'])
    expect(list[0]!.cron).toBe('*/5 * * * *')

    expect(await qstash.tick(new Date('2026-01-01T00:07:00Z'))).toHaveLength(0)
    expect(await qstash.tick(new Date('2026-01-01T00:10:00Z'))).toHaveLength(1)
    await qstash.drain()
    expect(dest.hits).toHaveLength(1)
    expect(dest.hits[0]!.headers['upstash-schedule-id']).toBe('svc.job')
    expect(await receiver.verify({ signature: dest.hits[0]!.headers['upstash-signature'] as string, body: dest.hits[0]!.body })).toBe(true)

    await client.schedules.pause({ schedule: 'svc.job' })
    expect(await qstash.tick(new Date('2026-01-01T00:15:00Z'))).toHaveLength(0)
    await client.schedules.resume({ schedule: 'svc.job' })
    await client.schedules.delete('svc.job')
    expect(await client.schedules.list()).toEqual([])
  })

  it('rejects an invalid cron', async () => {
    await expect(client.schedules.create({ destination: `${dest.url}/x`, cron: '61 * * * *' })).rejects.toThrow(/cron/)
    await expect(client.schedules.create({ destination: `${dest.url}/x`, cron: 'CRON_TZ=Mars/Olympus 0 0 * * *' })).rejects.toThrow(/cron/)
  })

  it('fires a CRON_TZ schedule at midnight in its zone, not at UTC midnight', async () => {
    const cron = 'CRON_TZ=Asia/Tokyo 0 0 * * *'
    await client.schedules.create({ scheduleId: 'jst.daily', destination: `${dest.url}/jobs/jst.daily`, cron })
    expect((await client.schedules.get('jst.daily')).cron).toBe(cron)
    expect(await qstash.tick(new Date('2026-01-02T00:00:00Z'))).toHaveLength(0)
    expect(await qstash.tick(new Date('2026-01-01T15:00:00Z'))).toHaveLength(1)
    await qstash.drain()
    expect(dest.hits.map((h) => h.path)).toEqual(['/jobs/jst.daily'])
  })
})

describe('cron', () => {
  const at = (iso: string) => new Date(iso)
  it('steps, ranges, lists and day-of-week', () => {
    expect(parseCron('*/15 * * * *').matches(at('2026-03-02T10:45:00Z'))).toBe(true)
    expect(parseCron('*/15 * * * *').matches(at('2026-03-02T10:46:00Z'))).toBe(false)
    expect(parseCron('0 9-17/4 * * *').matches(at('2026-03-02T13:00:00Z'))).toBe(true)
    expect(parseCron('0 9-17/4 * * *').matches(at('2026-03-02T15:00:00Z'))).toBe(false)
    expect(parseCron('30 2 1,15 * *').matches(at('2026-03-15T02:30:00Z'))).toBe(true)
    expect(parseCron('0 0 * * 7').matches(at('2026-03-01T00:00:00Z'))).toBe(true) // a Sunday
    expect(parseCron('0 0 13 * 5').matches(at('2026-03-06T00:00:00Z'))).toBe(true) // Friday: either day field
    expect(parseCron('0 0 13 * 5').matches(at('2026-03-07T00:00:00Z'))).toBe(false) // neither
    expect(parseCron('0 0 * * 1-5').matches(at('2026-03-07T00:00:00Z'))).toBe(false) // a Saturday
    expect(parseCron('*/15 * * * *').matches(at('2026-03-02T10:45:37Z'))).toBe(true) // any second of the minute
    expect(() => parseCron('* * *')).toThrow(/parts/)
    expect(() => parseCron('0 * * * * *')).toThrow(/5 parts/) // no seconds field in QStash
  })

  it('reads CRON_TZ= and TZ= prefixes as the zone of the fields, UTC without one', () => {
    const jst = parseCron('CRON_TZ=Asia/Tokyo 0 0 * * *')
    expect(jst.timezone).toBe('Asia/Tokyo')
    expect(jst.matches(at('2026-03-01T15:00:00Z'))).toBe(true)
    expect(jst.matches(at('2026-03-01T00:00:00Z'))).toBe(false)
    expect(parseCron('TZ=America/New_York 0 4 * * *').matches(at('2026-07-01T08:00:00Z'))).toBe(true) // EDT
    expect(parseCron('TZ=America/New_York 0 4 * * *').matches(at('2026-01-01T09:00:00Z'))).toBe(true) // EST
    expect(parseCron('0 0 * * *').timezone).toBe('UTC')
    expect(() => parseCron('CRON_TZ=Mars/Olympus 0 0 * * *')).toThrow(/time zone/i)
  })
})
