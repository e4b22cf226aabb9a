import { describe, expect, it } from 'vitest'
import { cashbackLifecycle, reversibleAmount } from '../../../src/loyalty/domain/cashback.ts'
import { payPayStatusOf, reportsNothingNew } from '../../../src/loyalty/domain/paypay-request.ts'
import {
  HISTORY_COLUMNS,
  isBusinessDate,
  jstDate,
  jstDayWindow,
  parseCsv,
  previousJstDate,
  readHistoryCsv,
  reconcile,
  toCsv,
  type HistoryRow,
} from '../../../src/loyalty/domain/history.ts'
import { ledgerEntryProblem } from '../../../src/loyalty/domain/ledger.ts'
import { effectiveLinkStatus, isLive, sameSecret, type PayPayLink } from '../../../src/loyalty/domain/link.ts'
import { reversalLifecycle } from '../../../src/loyalty/domain/reversal.ts'

describe('cashback and reversal lifecycles', () => {
  it('FAILURE after SUCCESS (and SUCCESS after FAILURE) is refused by the table', () => {
    expect(cashbackLifecycle.transition('succeeded', 'fail').ok).toBe(false)
    expect(cashbackLifecycle.transition('failed', 'succeed').ok).toBe(false)
    expect(cashbackLifecycle.transition('failed', 'accept').ok).toBe(false)
    expect(reversalLifecycle.transition('succeeded', 'fail').ok).toBe(false)
    expect([...cashbackLifecycle.terminal].sort()).toEqual(['failed', 'succeeded'])
    expect([...reversalLifecycle.terminal].sort()).toEqual(['failed', 'succeeded'])
  })

  it('a lost Give answer can go straight from requested to succeeded or failed', () => {
    expect(cashbackLifecycle.transition('requested', 'succeed')).toEqual({ ok: true, value: 'succeeded' })
    expect(cashbackLifecycle.transition('requested', 'fail')).toEqual({ ok: true, value: 'failed' })
    expect(cashbackLifecycle.transition('accepted', 'accept').ok).toBe(false)
  })

  it('a report that changes nothing (the same status, or ACCEPTED after it moved on) is told apart from a move', () => {
    expect(reportsNothingNew('accepted', 'ACCEPTED')).toBe(true)
    expect(reportsNothingNew('succeeded', 'ACCEPTED')).toBe(true)
    expect(reportsNothingNew('succeeded', 'SUCCESS')).toBe(true)
    expect(reportsNothingNew('requested', 'ACCEPTED')).toBe(false)
    // A contradiction is not "nothing new": the lifecycle table refuses it.
    expect(reportsNothingNew('failed', 'ACCEPTED')).toBe(false)
    expect(reportsNothingNew('succeeded', 'FAILURE')).toBe(false)
    expect(reversalLifecycle.name).toBe('cashback_reversal')
  })

  it('only a granted cashback is reversible, up to what is not reserved yet', () => {
    expect(reversibleAmount({ status: 'succeeded', amount: 300, reversalReserved: 100 })).toBe(200)
    expect(reversibleAmount({ status: 'accepted', amount: 300, reversalReserved: 0 })).toBe(0)
    expect(payPayStatusOf('requested')).toBe('ACCEPTED')
    expect(payPayStatusOf('failed')).toBe('FAILURE')
  })
})

describe('ledger entries', () => {
  it('the sign must match the kind', () => {
    const e = (kind: Parameters<typeof ledgerEntryProblem>[0]['kind'], points: number) =>
      ledgerEntryProblem({ kind, points, idempotencyKey: 'k' })
    expect(e('earn', 10)).toBeNull()
    expect(e('earn', -10)).toMatch(/credit/)
    expect(e('exchange_debit', 10)).toMatch(/debit/)
    expect(e('adjustment', -10)).toBeNull()
    expect(e('refund_credit', 0)).toMatch(/non-zero/)
    expect(e('reversal_credit', 1.5)).toMatch(/integer/)
    expect(ledgerEntryProblem({ kind: 'earn', points: 1, idempotencyKey: '' })).toMatch(/key/)
  })
})

describe('account link', () => {
  const link = (over: Partial<PayPayLink>): PayPayLink => ({
    userId: 'u',
    userAuthorizationId: 'a',
    status: 'linked',
    profileIdentifier: null,
    expiresAt: new Date('2030-01-01T00:00:00Z'),
    linkedAt: new Date(0),
    updatedAt: new Date(0),
    ...over,
  })
  it('a linked authorization past its expiry is expired; unlinked and revoked are never live', () => {
    expect(isLive(link({}), new Date('2029-12-31T23:59:59Z'))).toBe(true)
    expect(effectiveLinkStatus(link({}), new Date('2030-01-01T00:00:00Z'))).toBe('expired')
    expect(isLive(link({ status: 'unlinked' }), new Date(0))).toBe(false)
    expect(isLive(null, new Date(0))).toBe(false)
    expect(sameSecret('abc', 'abc')).toBe(true)
    expect(sameSecret('abc', 'abd')).toBe(false)
    expect(sameSecret('abc', 'abcd')).toBe(false)
  })
})

describe('history files', () => {
  it('a JST business day is [15:00 UTC the day before, 15:00 UTC)', () => {
    expect(jstDayWindow('2025-01-01')).toEqual({ from: new Date('2024-12-31T15:00:00Z'), to: new Date('2025-01-01T15:00:00Z') })
    expect(jstDate(new Date('2025-01-01T14:59:59Z'))).toBe('2025-01-01')
    expect(jstDate(new Date('2025-01-01T15:00:00Z'))).toBe('2025-01-02')
    // The 00:00 JST run (15:00 UTC) exports the day that just ended.
    expect(previousJstDate(new Date('2025-01-01T15:00:05Z'))).toBe('2025-01-01')
    expect(isBusinessDate('2025-02-29')).toBe(false)
    expect(isBusinessDate('2024-02-29')).toBe(true)
    expect(isBusinessDate('2024-2-9')).toBe(false)
  })

  const row = (over: Partial<HistoryRow>): HistoryRow => ({
    transactionType: 'cashback',
    merchantCashbackId: 'pcb_1',
    merchantCashbackReversalId: null,
    userId: 'u,1 "quoted"',
    amount: 100,
    currency: 'JPY',
    status: 'SUCCESS',
    requestedAt: '2025-01-01T00:00:00.000Z',
    completedAt: null,
    ...over,
  })

  it('CSV round-trips, quoting commas, quotes and line breaks', () => {
    const rows = [
      row({}),
      row({ transactionType: 'reversal', merchantCashbackReversalId: 'pcr_1', userId: 'line\nbreak', amount: 7, status: 'ACCEPTED' }),
    ]
    const read = readHistoryCsv(toCsv(rows))
    expect(read).toEqual({ ok: true, value: rows })
    expect(parseCsv('a,"b')).toEqual({ ok: false, error: 'record 1: quoted field unterminated' })
    expect(readHistoryCsv('id,total\n1,2')).toEqual({ ok: false, error: 'missing column merchant_cashback_id' })
    expect(readHistoryCsv('merchantCashbackId,amount,status\nx,1.5,SUCCESS').ok).toBe(false)
    expect(readHistoryCsv('\ufeffMerchantCashbackId,Amount,Status\r\nx,15,success\r\n')).toMatchObject({
      ok: true,
      value: [{ merchantCashbackId: 'x', amount: 15, status: 'SUCCESS' }],
    })
  })

  it('CSV is written with a header, CRLF line ends and quotes only where needed', () => {
    expect(toCsv([row({})])).toBe(
      'transaction_type,merchant_cashback_id,merchant_cashback_reversal_id,user_id,amount,currency,status,requested_at,completed_at\r\n' +
        'cashback,pcb_1,,"u,1 ""quoted""",100,JPY,SUCCESS,2025-01-01T00:00:00.000Z,\r\n',
    )
    expect(toCsv([])).toBe(`${HISTORY_COLUMNS.join(',')}\r\n`)
  })

  it('CSV reads LF files, blank lines and a quoted line break in the first record', () => {
    expect(parseCsv('a,b\n"x\ny",2\n\nz,3\n')).toEqual({
      ok: true,
      value: [
        ['a', 'b'],
        ['x\ny', '2'],
        ['z', '3'],
      ],
    })
    expect(parseCsv('a,b\r\n"x\r\ny",2\r\n')).toEqual({
      ok: true,
      value: [
        ['a', 'b'],
        ['x\r\ny', '2'],
      ],
    })
    expect(parseCsv('')).toEqual({ ok: true, value: [] })
    expect(readHistoryCsv('')).toEqual({ ok: false, error: 'the file is empty' })
  })

  it('reconciliation lists every disagreement on its row', () => {
    const ours = [
      row({ merchantCashbackId: 'a' }),
      row({ merchantCashbackId: 'b', amount: 5 }),
      row({ merchantCashbackId: 'c', status: 'FAILURE' }),
      row({ merchantCashbackId: 'd' }),
    ]
    const theirs = [
      row({ merchantCashbackId: 'a' }),
      row({ merchantCashbackId: 'b', amount: 6 }),
      row({ merchantCashbackId: 'c', status: 'SUCCESS', amount: 1 }),
      row({ merchantCashbackId: 'e' }),
    ]
    const byId = Object.fromEntries(reconcile(ours, theirs).map((m) => [m.merchantCashbackId, m.problems]))
    expect(byId).toEqual({
      a: [],
      b: ['amount_mismatch'],
      c: ['amount_mismatch', 'status_mismatch'],
      d: ['missing_in_paypay'],
      e: ['missing_in_ours'],
    })
  })
})
