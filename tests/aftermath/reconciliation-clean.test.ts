import { describe, expect, it } from 'vitest'
import { runJob } from '../integration/commerce/jobs.ts'
import { reportWith } from '../integration/reconciliation/support.ts'
import { countFigure } from '../support/figures.ts'

/**
 * Runs after every integration file (its own project, a later group; the integration tier's
 * dev servers, sandboxes and database are still up). Everything the run did, faults and hostile
 * input included, must reconcile: first the safety-net jobs run, as two consecutive runs of their
 * schedules would a few minutes later (the payloads shorten their waits to now), then the report
 * over the whole run must list no open mismatch, nothing it could not check, and no section cut
 * short. Tests that make a mismatch on purpose either undo it or leave it acknowledged, as an
 * operator would.
 */
const SAFETY_NETS: Array<[string, Record<string, number>]> = [
  ['payments.reconcile', { pending_after_seconds: 0 }],
  ['bookings.reconcile-payments', { reconcile_after_seconds: 0 }],
  ['bookings.resume-fulfilment', {}],
  ['loyalty.check-cashbacks', { check_after_seconds: 0, redrive_after_seconds: 0 }],
  ['loyalty.check-reversals', { check_after_seconds: 0, redrive_after_seconds: 0 }],
  ['inventory.expire-reservations', {}],
]

describe('after the whole run', () => {
  it('the reconciliation report over everything the run did lists no open mismatch', async () => {
    // Twice, as consecutive schedule runs would: a first pass may re-send what a test left
    // unsent (a PayPay grant still `requested`), which the gateway settles a moment later (the
    // PayPay sandbox after 1.5 s) and the second pass then reads.
    for (let pass = 0; pass < 2; pass++) {
      await new Promise((r) => setTimeout(r, 2_000))
      for (const [job, payload] of SAFETY_NETS) {
        const res = await runJob(job, payload)
        expect(res.status, `${job}: ${JSON.stringify(res.body)}`).toBe(200)
      }
    }
    const report = await reportWith(`fresh=true&limit=1000&since=${encodeURIComponent(new Date(Date.now() - 2 * 3600_000).toISOString())}`)
    const compared = Object.values(report.checked).reduce((a, b) => a + b, 0)
    countFigure('records compared', compared)
    countFigure('open mismatches', report.mismatches.length)
    countFigure('acknowledged mismatches', report.acknowledged.length)
    expect(report.mismatches).toEqual([])
    expect(report.unchecked).toEqual([])
    expect(report.truncated).toEqual([])
    // Not vacuous: the run made payments, sessions, cashbacks and points on every gateway.
    for (const section of ['paystack_payments', 'paystack_refunds', 'zalopay_sessions', 'paypay_cashbacks', 'points_accounts']) {
      expect(report.checked[section], section).toBeGreaterThan(0)
    }
  })
})
