/**
 * Postgres aborts one side of a deadlock (40P01) or a serialization conflict (40001); the aborted
 * statement changed nothing, so running it again is safe. Rare here (locks are taken in id order),
 * but a reservation must not fail a customer for it.
 */
export async function withDeadlockRetry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn()
    } catch (e) {
      const code = (e as { code?: string } | null)?.code ?? (e as { cause?: { code?: string } } | null)?.cause?.code
      if (i >= attempts || (code !== '40P01' && code !== '40001')) throw e
      await new Promise((r) => setTimeout(r, 5 * i + Math.random() * 10))
    }
  }
}
