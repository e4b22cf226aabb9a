/**
 * Marks a failure of an infrastructure dependency (Redis, the queue, a gateway) so the edge answers
 * 503 with a stable code instead of a bare 500: callers may retry later, nothing was applied.
 */
export class DependencyUnavailable extends Error {
  constructor(
    readonly dependency: string,
    cause: unknown,
  ) {
    super(`${dependency} unavailable`, { cause })
    this.name = 'DependencyUnavailable'
  }
}

export async function guarded<T>(dependency: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    throw e instanceof DependencyUnavailable ? e : new DependencyUnavailable(dependency, e)
  }
}
