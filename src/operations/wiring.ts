import type { Deps } from '../container.ts'
import { QStashDeadLetterQueue } from './adapters/qstash-dead-letter-queue.ts'
import type { OperationsDeps } from './deps.ts'

/** QStash's dead-letter queue for the admin endpoints. */
export function wireOperations({ config }: Deps): OperationsDeps {
  return { deadLetters: new QStashDeadLetterQueue({ baseUrl: config.QSTASH_URL, token: config.QSTASH_TOKEN }) }
}
