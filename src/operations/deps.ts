import type { DeadLetterQueue } from './ports.ts'

export interface OperationsDeps {
  readonly deadLetters: DeadLetterQueue
}
