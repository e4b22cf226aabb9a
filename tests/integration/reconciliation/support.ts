import { expect } from 'vitest'
import { adminToken, call } from '../helpers.ts'

export interface Report {
  id: string
  source: string
  mismatches: Array<Record<string, any>>
  acknowledged: Array<Record<string, any>>
  unchecked: unknown[]
  truncated: string[]
  checked: Record<string, number>
}

/** A fresh report over records touched since `since` (an ISO instant). */
export async function freshReport(since: string): Promise<Report> {
  return reportWith(`fresh=true&since=${encodeURIComponent(since)}`)
}

export async function reportWith(query: string): Promise<Report> {
  const res = await call('GET', `/api/admin/reconciliation?${query}`, { token: await adminToken() })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body as Report
}

/** The mismatches mentioning any of these ids. */
export const about = (r: { mismatches: Array<Record<string, any>> }, ...ids: string[]) =>
  r.mismatches.filter((m) =>
    Object.values(m).some((v) => ids.includes(v as string) || (Array.isArray(v) && v.some((x) => ids.includes(x?.payment_id)))),
  )

/**
 * What an operator does with a mismatch they checked and accept as it is: acknowledges it with a
 * note. Tests that make a mismatch on purpose end this way (or undo it), so the report at the end
 * of the whole run (tests/aftermath) lists nothing.
 */
export async function acknowledge(m: Record<string, any>, note: string): Promise<{ status: number; body: any }> {
  return call('POST', '/api/admin/reconciliation/acknowledgements', {
    token: await adminToken(),
    body: { fingerprint: m['fingerprint'], kind: m['kind'], note },
  })
}
