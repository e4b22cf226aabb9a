/**
 * Every API call the sandbox received and what it answered, so tests can assert — for instance —
 * that the backend retried a lost Give with the same merchantCashbackId.
 */
export interface ApiCall {
  id: number
  at: number
  method: string
  path: string
  operation: string
  merchantCashbackId?: string
  merchantCashbackReversalId?: string
  userAuthorizationId?: string
  /** The X-REQUEST-ID answered (absent for injected faults, which answer like a broken gateway). */
  requestId?: string
  status?: number
  /** resultInfo.code answered (for a lost call: what it would have answered). */
  code?: string
  /** An injected fault answered instead (status is its HTTP status, absent for timeout/reset). */
  fault?: true
  /** Processed, but the client saw a dropped connection (control: cashbacks/lose-next). */
  lost?: boolean
}

export class RequestLog {
  readonly calls: ApiCall[] = []
  private nextId = 1

  add(call: Omit<ApiCall, 'id'>): ApiCall {
    const c = { id: this.nextId++, ...call }
    this.calls.push(c)
    return c
  }

  clear(): void {
    this.calls.length = 0
  }
}
