import type postgres from 'postgres'
import { expect } from 'vitest'
import { countFigure } from '../../support/figures.ts'
import { ownSql, sharedSql } from '../db.ts'

/**
 * Drops a Postgres connection in the middle of a transaction, for the chaos tests: the test holds
 * a row the transaction under test writes late, so that transaction waits on it having done its
 * earlier writes; the waiting backend is found through pg_blocking_pids and terminated, then the
 * row is let go. (postgres.js clients are not ended: see README, "Notes for contributors".)
 */

export interface Dropped<T> {
  /** What `work` answered once its connection was gone. */
  readonly answer: T
  /** The statement the terminated backend was waiting in (proof of where it died). */
  readonly blockedOn: string
}

/**
 * Holds what `lock` locks (e.g. `select … for update`) in a transaction, starts `work`, waits until
 * a backend is blocked behind the holder, terminates that backend, releases the lock and returns
 * `work`'s answer. Fails if `work` never blocks on the lock.
 */
export async function dropConnectionWhileBlocked<T>(
  lock: (tx: postgres.TransactionSql) => Promise<unknown>,
  work: () => Promise<T>,
): Promise<Dropped<T>> {
  // The holder keeps its transaction open while the probe works, so it needs a connection of its own.
  const holder = ownSql(1)
  const probe = sharedSql()
  let release!: () => void
  const released = new Promise<void>((r) => (release = r))
  let locked!: (pid: number) => void
  const lockHeld = new Promise<number>((r) => (locked = r))
  const holding = holder.begin(async (tx) => {
    await lock(tx)
    const [me] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`
    locked(me!.pid)
    await released
  })
  const holderPid = await lockHeld
  try {
    const pending = work()
    let victim = { pid: 0, query: '' }
    await expect
      .poll(
        async () => {
          const [row] = await probe<
            { pid: number; query: string }[]
          >`select pid, query from pg_stat_activity where ${holderPid}::int = any(pg_blocking_pids(pid))`
          victim = row ?? victim
          return victim.pid
        },
        { timeout: 10_000 },
      )
      .toBeGreaterThan(0)
    const [terminated] = await probe<{ ok: boolean }[]>`select pg_terminate_backend(${victim.pid}::int) as ok`
    expect(terminated!.ok).toBe(true)
    countFigure('Postgres backends killed mid-transaction')
    release()
    await holding
    return { answer: await pending, blockedOn: victim.query }
  } finally {
    release()
  }
}
