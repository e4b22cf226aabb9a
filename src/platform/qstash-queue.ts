import { Client } from '@upstash/qstash'
import type { JobMessage, JobQueue } from '../shared/jobs.ts'
import { guarded } from './dependency.ts'

/** Jobs travel through QStash to `POST {PUBLIC_BASE_URL}/jobs/{name}`, where the Receiver checks them. */
export class QStashJobQueue implements JobQueue {
  private readonly client: Client

  constructor(
    opts: { baseUrl: string; token: string },
    private readonly publicBaseUrl: string,
  ) {
    this.client = new Client({ baseUrl: opts.baseUrl, token: opts.token })
  }

  async publish(job: JobMessage): Promise<{ messageId: string }> {
    const res = await guarded('qstash', () =>
      this.client.publishJSON({
        url: jobUrl(this.publicBaseUrl, job.name),
        body: job.payload,
        ...(job.deduplicationId !== undefined && { deduplicationId: job.deduplicationId }),
        ...(job.delaySeconds !== undefined && { delay: job.delaySeconds }),
      }),
    )
    return { messageId: res.messageId }
  }

  async publishMany(jobs: readonly JobMessage[]): Promise<void> {
    if (jobs.length === 0) return
    await guarded('qstash', () =>
      this.client.batchJSON(
        jobs.map((job) => ({
          url: jobUrl(this.publicBaseUrl, job.name),
          body: job.payload,
          ...(job.deduplicationId !== undefined && { deduplicationId: job.deduplicationId }),
          ...(job.delaySeconds !== undefined && { delay: job.delaySeconds }),
        })),
      ),
    )
  }
}

export const jobUrl = (publicBaseUrl: string, name: string) => `${publicBaseUrl.replace(/\/$/, '')}/jobs/${name}`
