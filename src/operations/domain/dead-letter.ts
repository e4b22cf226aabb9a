import { domainError, type DomainError } from '../../shared/result.ts'

/**
 * A job message the queue gave up on after its last retry (QStash's dead-letter queue). The body is
 * kept as the raw text that was published, so a replay delivers exactly the same job.
 */
export interface DeadLetter {
  readonly id: string
  readonly messageId: string
  /** The job name when the destination is one of ours (`…/jobs/{name}`), else null. */
  readonly job: string | null
  readonly url: string
  readonly method: string
  readonly body: string
  /** Headers forwarded to the destination on delivery (content-type and the like). */
  readonly headers: Readonly<Record<string, string>>
  readonly maxRetries: number
  readonly createdAt: Date
  readonly responseStatus: number | null
  readonly responseBody: string | null
}

export type OperationsErrorCode = 'DEAD_LETTER_NOT_FOUND'

export type OperationsError = DomainError<OperationsErrorCode>

export const deadLetterNotFound = (id: string): OperationsError =>
  domainError('DEAD_LETTER_NOT_FOUND', 'No dead letter with this id', { id })

/** `https://host/jobs/payments.email` → `payments.email`; anything else → null. */
export function jobNameOf(url: string): string | null {
  const m = /\/jobs\/([A-Za-z0-9._-]+)\/?(?:\?.*)?$/.exec(url)
  return m ? m[1]! : null
}
