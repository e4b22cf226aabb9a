import { describe, expect, it } from 'vitest'
import type { Email, User, UserId } from '../../../src/identity/domain/user.ts'
import type { LoginThrottle, UserRepository } from '../../../src/identity/ports.ts'
import { logIn } from '../../../src/identity/use-cases/log-in.ts'
import type { Defer } from '../../../src/shared/defer.ts'

/** What happens before the answer and what is deferred (issue 13: one Redis call before it). */
function world() {
  const log: string[] = []
  const held: Array<() => Promise<unknown>> = []
  const user = { id: 'usr_1' as UserId, email: 'a@example.test' as Email, roles: [], passwordHash: 'plain:right' }
  const users: UserRepository = {
    create: async () => null,
    findByEmail: async (e) => (log.push('findByEmail'), e === user.email ? user : null),
    findById: async () => null,
  }
  const throttle: LoginThrottle = {
    begin: async () => (log.push('begin'), { allowed: true }),
    succeeded: async () => void log.push('succeeded'),
  }
  const defer: Defer = (_label, task) => void held.push(task)
  const deps = {
    users,
    throttle,
    passwords: { hash: async (p: string) => `plain:${p}`, verify: async (p: string, h: string) => h === `plain:${p}` },
    tokens: { issue: async (u: User) => ({ accessToken: `token-for-${u.id}`, expiresInSeconds: 60 }) },
    defer,
  }
  return { deps, log, held }
}

describe('logIn', () => {
  it('answers after the throttle count and the user read; gives the attempt back after the answer', async () => {
    const w = world()
    const r = await logIn(w.deps, { email: ' A@example.test ', password: 'right', ip: '192.0.2.1' })
    expect(r.ok).toBe(true)
    expect(w.log).toEqual(['begin', 'findByEmail'])
    expect(w.held).toHaveLength(1)
    await w.held[0]!()
    expect(w.log).toEqual(['begin', 'findByEmail', 'succeeded'])
  })

  it('a wrong password keeps its attempt counted and defers nothing', async () => {
    const w = world()
    const r = await logIn(w.deps, { email: 'a@example.test', password: 'wrong', ip: '192.0.2.1' })
    expect(r.ok ? 'OK' : r.error.code).toBe('INVALID_CREDENTIALS')
    expect(w.log).toEqual(['begin', 'findByEmail'])
    expect(w.held).toEqual([])
  })
})
