import { describe, expect, it } from 'vitest'
import { canonicalMismatch, fingerprintOf } from '../../../src/reconciliation/domain/acknowledgement.ts'
import type { Mismatch } from '../../../src/reconciliation/domain/mismatch.ts'

const points = (balance: number): Mismatch => ({ kind: 'points_balance_mismatch', userId: 'u-1', balance, ledgerSum: 300 })

describe('mismatch fingerprints', () => {
  it('do not depend on the order of the fields', async () => {
    const a = points(307)
    const b = { ledgerSum: 300, balance: 307, userId: 'u-1', kind: 'points_balance_mismatch' } as Mismatch
    expect(canonicalMismatch(a)).toBe(canonicalMismatch(b))
    expect(await fingerprintOf(a)).toBe(await fingerprintOf(b))
    expect(await fingerprintOf(a)).toMatch(/^[0-9a-f]{64}$/)
  })

  it('change when either side moves, or for another record', async () => {
    const base = await fingerprintOf(points(307))
    expect(await fingerprintOf(points(308))).not.toBe(base)
    expect(await fingerprintOf({ ...points(307), userId: 'u-2' } as Mismatch)).not.toBe(base)
  })
})
