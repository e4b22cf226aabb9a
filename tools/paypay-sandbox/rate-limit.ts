/**
 * A requests-per-second limit over all API calls (off by default). PayPay's real limit is
 * unpublished (its sandbox FAQ reproduces RATE_LIMIT with "at least 4 TPS"), so the number is
 * yours to pick; it exists to exercise the backend's backoff. It counts real time, not the
 * injectable clock, because a frozen test clock would otherwise put every call in one second.
 */
export class RateLimiter {
  private readonly hits: number[] = []

  /** @param perSecond 0 (or less) turns the limit off */
  constructor(public perSecond: number) {}

  /** Counts the call; false when it is over the limit (refused calls count too, as at a gateway). */
  allow(nowMs = performance.now()): boolean {
    while (this.hits.length > 0 && this.hits[0]! <= nowMs - 1000) this.hits.shift()
    this.hits.push(nowMs)
    return this.perSecond <= 0 || this.hits.length <= this.perSecond
  }

  reset(): void {
    this.hits.length = 0
  }
}
