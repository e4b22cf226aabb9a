import type { Redis } from '@upstash/redis'
import { guarded } from '../../platform/dependency.ts'
import type { LockoutState, PinAttempt, PinLockout } from '../ports.ts'

export interface PinLockoutLimits {
  /** Wrong PINs one caller may try for one supplier per window. */
  readonly perCaller: number
  /** Wrong PINs all callers together may try for one supplier per window (spread guessing). */
  readonly perSupplier: number
  readonly windowSeconds: number
  /** Attempts being verified at once, beyond the failures left: per caller, per supplier. */
  readonly callerInFlight: number
  readonly supplierInFlight: number
}

export const DEFAULT_PIN_LOCKOUT_LIMITS: PinLockoutLimits = {
  perCaller: 5,
  perSupplier: 50,
  windowSeconds: 15 * 60,
  // A device redeems one gift at a time, but several devices may share a shop's address.
  callerInFlight: 20,
  supplierInFlight: 50,
}

/** A crashed attempt's slot is freed by this TTL; an attempt takes milliseconds. */
const IN_FLIGHT_TTL_SECONDS = 60

/**
 * KEYS: caller failures, caller in flight, supplier failures, supplier in flight.
 * ARGV: per caller, per supplier, caller in flight, supplier in flight, in-flight TTL.
 * Refuses (without taking a slot) when either failure count is at its limit, or when failures plus
 * attempts in flight would pass limit + in-flight allowance; otherwise takes a slot in both.
 * Returns {1} when allowed, else {0, scope (1 caller, 2 supplier), the key's TTL}.
 */
const RESERVE = `
local cf = tonumber(redis.call('GET', KEYS[1]) or '0')
local sf = tonumber(redis.call('GET', KEYS[3]) or '0')
if cf >= tonumber(ARGV[1]) then return {0, 1, redis.call('TTL', KEYS[1])} end
if sf >= tonumber(ARGV[2]) then return {0, 2, redis.call('TTL', KEYS[3])} end
local ci = tonumber(redis.call('GET', KEYS[2]) or '0')
local si = tonumber(redis.call('GET', KEYS[4]) or '0')
if cf + ci >= tonumber(ARGV[1]) + tonumber(ARGV[3]) then return {0, 1, redis.call('TTL', KEYS[2])} end
if sf + si >= tonumber(ARGV[2]) + tonumber(ARGV[4]) then return {0, 2, redis.call('TTL', KEYS[4])} end
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('INCR', KEYS[4])
redis.call('EXPIRE', KEYS[4], ARGV[5])
return {1}
`

/**
 * Failure counters per (supplier, caller) and per supplier in fixed windows: the first wrong PIN
 * opens a window (EXPIRE NX, so later failures never extend it). A caller is locked after
 * `perCaller` failures; everyone is locked for a supplier after `perSupplier` (guessing spread over
 * many addresses). In-flight counters make parallel guesses count before they finish. The check is
 * one script call (atomic, one round trip); a wrong PIN's count is one MULTI. Redis errors
 * propagate as DependencyUnavailable (fail closed).
 */
export class RedisPinLockout implements PinLockout {
  constructor(
    private readonly redis: Redis,
    private readonly limits: PinLockoutLimits = DEFAULT_PIN_LOCKOUT_LIMITS,
  ) {}

  private keys({ supplierCode, caller }: PinAttempt): [string, string, string, string] {
    return [
      `gifts:pin-failures:${supplierCode}:${caller}`,
      `gifts:pin-in-flight:${supplierCode}:${caller}`,
      `gifts:pin-failures:${supplierCode}`,
      `gifts:pin-in-flight:${supplierCode}`,
    ]
  }

  async reserve(attempt: PinAttempt): Promise<LockoutState> {
    const l = this.limits
    const args = [l.perCaller, l.perSupplier, l.callerInFlight, l.supplierInFlight, IN_FLIGHT_TTL_SECONDS].map(String)
    const [allowed, scope, ttl] = await guarded('redis', () => this.redis.eval<string[], number[]>(RESERVE, this.keys(attempt), args))
    if (allowed === 1) return { locked: false }
    const seconds = Number(ttl)
    return { locked: true, scope: scope === 1 ? 'caller' : 'supplier', retryAfterSeconds: seconds > 0 ? seconds : 1 }
  }

  async settle(attempt: PinAttempt, pinWasCorrect: boolean): Promise<void> {
    const [callerFailures, callerInFlight, supplierFailures, supplierInFlight] = this.keys(attempt)
    const tx = this.redis.multi().decr(callerInFlight).decr(supplierInFlight)
    if (!pinWasCorrect) {
      const w = this.limits.windowSeconds
      tx.incr(callerFailures).expire(callerFailures, w, 'NX').incr(supplierFailures).expire(supplierFailures, w, 'NX')
    }
    await guarded('redis', () => tx.exec())
  }
}
