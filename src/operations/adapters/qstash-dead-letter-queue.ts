import { guarded } from '../../platform/dependency.ts'
import { jobNameOf, type DeadLetter } from '../domain/dead-letter.ts'
import type { DeadLetterQueue } from '../ports.ts'

interface QStashDlqMessage {
  dlqId: string
  messageId: string
  url: string
  method?: string
  body?: string
  header?: Record<string, string[] | string>
  maxRetries?: number
  createdAt: number
  responseStatus?: number
  responseBody?: string
}

/** QStash's DLQ over its REST API (`/v2/dlq`, `/v2/publish`), the real service or the dev server. */
export class QStashDeadLetterQueue implements DeadLetterQueue {
  private readonly baseUrl: string
  private readonly token: string

  constructor(opts: { baseUrl: string; token: string }) {
    this.baseUrl = opts.baseUrl.replace(/\/$/, '')
    this.token = opts.token
  }

  async list(page: { cursor?: string }): Promise<{ items: DeadLetter[]; cursor: string | null }> {
    const query = page.cursor ? `?cursor=${encodeURIComponent(page.cursor)}` : ''
    const res = await this.request('GET', `/v2/dlq${query}`)
    const body = (await res.json()) as { messages?: QStashDlqMessage[]; cursor?: string }
    return { items: (body.messages ?? []).map(toDeadLetter), cursor: body.cursor || null }
  }

  async find(id: string): Promise<DeadLetter | null> {
    const res = await this.request('GET', `/v2/dlq/${encodeURIComponent(id)}`, { allow404: true })
    if (res.status === 404) return null
    return toDeadLetter((await res.json()) as QStashDlqMessage)
  }

  async republish(letter: DeadLetter, deduplicationId: string): Promise<{ messageId: string }> {
    const headers: Record<string, string> = {
      'upstash-method': letter.method,
      'upstash-deduplication-id': deduplicationId,
      // The same retry budget as the original publish.
      'upstash-retries': String(letter.maxRetries),
    }
    for (const [k, v] of Object.entries(letter.headers)) {
      if (k.toLowerCase() === 'content-type') headers['content-type'] = v
      else headers[`upstash-forward-${k}`] = v
    }
    const res = await this.request('POST', `/v2/publish/${letter.url}`, { headers, body: letter.body })
    return { messageId: ((await res.json()) as { messageId: string }).messageId }
  }

  async remove(id: string): Promise<void> {
    await this.request('DELETE', `/v2/dlq/${encodeURIComponent(id)}`, { allow404: true })
  }

  private request(
    method: string,
    path: string,
    opts: { headers?: Record<string, string>; body?: string; allow404?: boolean } = {},
  ): Promise<Response> {
    return guarded('qstash', async () => {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...opts.headers },
        ...(opts.body !== undefined && { body: opts.body }),
      })
      if (!res.ok && !(opts.allow404 && res.status === 404)) {
        throw new Error(`QStash ${method} ${path.split('?')[0]} answered ${res.status}: ${(await res.text()).slice(0, 200)}`)
      }
      return res
    })
  }
}

function toDeadLetter(m: QStashDlqMessage): DeadLetter {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(m.header ?? {})) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
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
