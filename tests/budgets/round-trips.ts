import { env } from 'cloudflare:test'
import { TestRunner } from 'vitest'
import type { Counts } from '../support/budget-counts.ts'

export type { Counts }

interface ProxyCounters {
  connections: number
  roundTrips: number
  statements: number
  open: number
  idleMs: number
}

const control = () => (env as unknown as Record<string, string>)['PROXY_CONTROL_URL']!

async function counters(): Promise<{ postgres: ProxyCounters; redis: ProxyCounters }> {
  const res = await fetch(`${control()}/counters`)
  if (!res.ok) throw new Error(`proxy control answered ${res.status}`)
  return (await res.json()) as { postgres: ProxyCounters; redis: ProxyCounters }
}

const toCounts = (c: { postgres: ProxyCounters; redis: ProxyCounters }): Counts => ({
  statements: c.postgres.statements,
  roundTrips: c.postgres.roundTrips,
  connections: c.postgres.connections,
  redisCalls: c.redis.roundTrips,
})

/**
 * Counts one request: resets the proxies, runs `fn` (typically a SELF.fetch that reads the body),
 * snapshots the counts when it resolves (`atResponse`), then waits until nothing has crossed either
 * proxy for a while and every request connection has closed (work handed to waitUntil is done)
 * and snapshots again (`settled`). Long-lived connections (a Durable Object's) do not block it:
 * after a longer quiet spell the counts are taken as settled.
 */
export async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; atResponse: Counts; settled: Counts }> {
  const reset = await fetch(`${control()}/reset`, { method: 'POST' })
  if (!reset.ok) throw new Error(`proxy reset answered ${reset.status}`)
  const result = await fn()
  const atResponse = toCounts(await counters())
  const deadline = Date.now() + 10_000
  for (;;) {
    const c = await counters()
    const idle = Math.min(c.postgres.idleMs, c.redis.idleMs)
    const closed = c.postgres.open === 0
    if ((closed && idle >= 150) || idle >= 1_000 || Date.now() > deadline) return { result, atResponse, settled: toCounts(c) }
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Records a request's counts on the running test, so the run prints them next to the budget. */
export function recordBudget(name: string, c: Counts): void {
  const test = TestRunner.getCurrentTest()
  if (!test) throw new Error(`recordBudget(${name}) outside a running test`)
  ;(test.meta.budgets ??= {})[name] = c
}
