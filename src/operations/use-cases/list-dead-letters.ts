import type { DeadLetter } from '../domain/dead-letter.ts'
import type { OperationsDeps } from '../deps.ts'

export async function listDeadLetters(
  deps: OperationsDeps,
  input: { cursor?: string; job?: string },
): Promise<{ items: DeadLetter[]; cursor: string | null }> {
  const page = await deps.deadLetters.list(input.cursor === undefined ? {} : { cursor: input.cursor })
  return input.job === undefined ? page : { ...page, items: page.items.filter((d) => d.job === input.job) }
}
