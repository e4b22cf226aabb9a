/**
 * Counts what one request costs, run alone: Postgres statements and round trips (the proxy counts
 * turns after each connection's start-up) and Upstash REST calls. Two snapshots: when the answer
 * arrives, and once both proxies and QStash have gone quiet (deferred work, and the jobs the
 * request published if QStash delivered them meanwhile). Best of a few runs, so a cold pooled
 * connection's describe round trips do not count against a warm path.
 */
import type { EdgeStack } from './stack.ts'

export interface Counts {
  statements: number
  roundTrips: number
  connections: number
  redisCalls: number
}

export interface Counted {
  outcomes: string[]
  atResponse: Counts
  settled: Counts
  /** True when the runs did not all count the same (the best is reported). */
  varied: boolean
}

const QUIET_MS = 250
const QUIET_TIMEOUT_MS = 5_000

const snapshot = (s: EdgeStack): Counts => {
  const pg = s.postgres.counters()
  return { statements: pg.statements, roundTrips: pg.roundTrips, connections: pg.connections, redisCalls: s.redis.counters().roundTrips }
}

/** Until nothing crossed either proxy for QUIET_MS and QStash has nothing in flight (bounded). */
async function quiet(s: EdgeStack): Promise<void> {
  const deadline = Date.now() + QUIET_TIMEOUT_MS
  await Promise.race([s.qstash.drain(0), new Promise((r) => setTimeout(r, QUIET_TIMEOUT_MS))])
  while (Date.now() < deadline) {
    if (Math.min(s.postgres.counters().idleMs, s.redis.counters().idleMs) >= QUIET_MS) return
    await new Promise((r) => setTimeout(r, 25))
  }
}

const sum = (c: Counts) => c.statements * 1000 + c.roundTrips * 10 + c.redisCalls
const same = (a: Counts, b: Counts) => a.statements === b.statements && a.roundTrips === b.roundTrips && a.redisCalls === b.redisCalls

export async function countRequest(s: EdgeStack, request: (i: number) => Promise<string>, first: number, runs = 3): Promise<Counted> {
  const results: Array<{ outcome: string; atResponse: Counts; settled: Counts }> = []
  for (let k = 0; k < runs; k++) {
    await quiet(s)
    s.postgres.reset()
    s.redis.reset()
    let outcome: string
    try {
      outcome = await request(first + k)
    } catch (e) {
      outcome = `error:${(e as Error).message.slice(0, 60)}`
    }
    const atResponse = snapshot(s)
    await quiet(s)
    results.push({ outcome, atResponse, settled: snapshot(s) })
  }
  // Among answers that succeeded, when any did: a refused request costs less and says nothing.
  const ok = results.filter((r) => /^2\d\d/.test(r.outcome))
  const best = (ok.length > 0 ? ok : results).reduce((a, b) => (sum(b.settled) < sum(a.settled) ? b : a))
  return {
    outcomes: results.map((r) => r.outcome),
    atResponse: best.atResponse,
    settled: best.settled,
    varied: results.some((r) => !same(r.settled, best.settled) || !same(r.atResponse, best.atResponse)),
  }
}
