import { Client, QstashError, type HTTPMethods } from '@upstash/qstash'
import { guarded } from '../../platform/dependency.ts'
import { jobNameOf, type DeadLetter } from '../domain/dead-letter.ts'
import type { DeadLetterQueue } from '../ports.ts'

type QStashDlqMessage = Awaited<ReturnType<Client['dlq']['listMessages']>>['messages'][number]

/**
 * QStash's DLQ through the official client (`client.dlq`, `client.publish`), the real service or
 * the dev server. A replay publishes the letter again under a deduplication id rather than calling
 * `dlq.retry`, so a retried or concurrent replay publishes once (the port's promise).
 */
export class QStashDeadLetterQueue implements DeadLetterQueue {
  private readonly client: Client

  constructor(opts: { baseUrl: string; token: string }) {
    // No client-side retries: an admin action fails fast (503) and the admin retries.
    this.client = new Client({ baseUrl: opts.baseUrl, token: opts.token, retry: false })
  }

  async list(page: { cursor?: string }): Promise<{ items: DeadLetter[]; cursor: string | null }> {
    const res = await guarded('qstash', () => this.client.dlq.listMessages(page.cursor ? { cursor: page.cursor } : {}))
    return { items: res.messages.map(toDeadLetter), cursor: res.cursor || null }
  }

  async find(id: string): Promise<DeadLetter | null> {
    const res = await guarded('qstash', () => this.client.dlq.listMessages({ dlqIds: [id] }))
    const message = res.messages.find((m) => m.dlqId === id)
    return message ? toDeadLetter(message) : null
  }

  async republish(letter: DeadLetter, deduplicationId: string): Promise<{ messageId: string }> {
    // The letter's headers are the ones delivered; upstash-* control headers are not replayed.
    const headers = Object.fromEntries(Object.entries(letter.headers).filter(([k]) => !k.startsWith('upstash-')))
    const res = await guarded('qstash', () =>
      this.client.publish({
        url: letter.url,
        method: letter.method as HTTPMethods,
        body: letter.body,
        headers,
        deduplicationId,
        // The same retry budget as the original publish.
        retries: letter.maxRetries,
      }),
    )
    return { messageId: res.messageId }
  }

  async remove(id: string): Promise<void> {
    await guarded('qstash', async () => {
      try {
        await this.client.dlq.delete(id)
      } catch (e) {
        if (!(e instanceof QstashError && e.status === 404)) throw e
      }
    })
  }
}

function toDeadLetter(m: QStashDlqMessage): DeadLetter {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries((m.header ?? {}) as Record<string, string[] | string>)) {
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
  }
  return {
    id: m.dlqId,
    messageId: m.messageId,
    job: jobNameOf(m.url),
    url: m.url,
    method: m.method ?? 'POST',
    body: m.body ?? '',
    headers,
    maxRetries: m.maxRetries ?? 0,
    createdAt: new Date(m.createdAt),
    responseStatus: m.responseStatus ?? null,
    responseBody: m.responseBody ?? null,
  }
}
