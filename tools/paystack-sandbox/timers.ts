/**
 * Timeouts grouped by key, so a refund's scheduled transitions can be cancelled when a control
 * call settles it, and so drain/reset/close can see and clear everything still scheduled.
 */
export class Timers {
  private readonly byKey = new Map<string, Set<NodeJS.Timeout>>()

  /** `ms` must be finite: Node turns an overflowing delay into 1 ms. */
  set(key: string, fn: () => void, ms: number): void {
    const set = this.byKey.get(key) ?? new Set<NodeJS.Timeout>()
    this.byKey.set(key, set)
    const t = setTimeout(
      () => {
        set.delete(t)
        if (set.size === 0) this.byKey.delete(key)
        fn()
      },
      Math.max(0, ms),
    )
    set.add(t)
  }

  cancel(key: string): void {
    for (const t of this.byKey.get(key) ?? []) clearTimeout(t)
    this.byKey.delete(key)
  }

  clear(): void {
    for (const key of [...this.byKey.keys()]) this.cancel(key)
  }

  get size(): number {
    let n = 0
    for (const set of this.byKey.values()) n += set.size
    return n
  }
}
