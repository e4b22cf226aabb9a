import { err, ok, type Result } from '../../shared/result.ts'
import { deadLetterNotFound, type DeadLetter, type OperationsError } from '../domain/dead-letter.ts'
import type { OperationsDeps } from '../deps.ts'

/**
 * Re-publishes one dead letter, then removes it from the DLQ. Publishing first means a failure in
 * between leaves the letter listed (and replayable) rather than lost; the deduplication id keyed by
 * the letter makes that second replay, or two admins replaying at once, publish it only once.
 */
export async function replayDeadLetter(
  deps: OperationsDeps,
  id: string,
): Promise<Result<{ letter: DeadLetter; messageId: string }, OperationsError>> {
  const letter = await deps.deadLetters.find(id)
  if (!letter) return err(deadLetterNotFound(id))
  const { messageId } = await deps.deadLetters.republish(letter, `dlq-replay:${letter.id}`)
  await deps.deadLetters.remove(letter.id)
  return ok({ letter, messageId })
}
