import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { prefixedId } from '../../../src/shared/ids.ts'
import { runJob } from '../commerce/jobs.ts'
import { adminToken, call, token, uniq } from '../helpers.ts'
import { execSql } from './support.ts'

/**
 * Daily transaction-history files (seed 000, last section): the export job writes a JST day's
 * cashbacks and reversals to the bucket and the manifest, idempotently per date; admins page
 * through rows and match an uploaded PayPay file against our records.
 */
// A random past day (2000-2024): fabricated history, long outside the reconciliation window.
const day = `20${String(Math.floor(Math.random() * 25)).padStart(2, '0')}-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`
const utc = (jstDay: string, hhmmss: string) => new Date(Date.parse(`${jstDay}T${hhmmss}+09:00`))
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)

async function cashbackRow(status: string, amount: number, requestedAt: Date): Promise<string> {
  const id = prefixedId('pcb')
  const done = status === 'succeeded' || status === 'failed' ? requestedAt.toISOString() : null
  await execSql(sql`insert into paypay_cashbacks (merchant_cashback_id, user_id, user_authorization_id, points, amount, status, requested_at, accepted_at, completed_at, updated_at)
    values (${id}, ${`hist-${uniq()}`}, 'uaid-history', ${amount}, ${amount}, ${status}, ${requestedAt.toISOString()}::timestamptz, ${requestedAt.toISOString()}::timestamptz, ${done}::timestamptz, ${done ?? requestedAt.toISOString()}::timestamptz)`)
  return id
}

describe('transaction-history files', () => {
  it('export → manifest + CSV in the bucket; rows by status and page; a re-run replaces, never duplicates', async () => {
    const admin = await adminToken()
    const cb1 = await cashbackRow('succeeded', 1000, utc(day, '00:00:00'))
    const cb2 = await cashbackRow('failed', 200, utc(day, '12:00:00'))
    const cb3 = await cashbackRow('accepted', 300, utc(day, '23:59:59'))
    const cb4 = await cashbackRow('succeeded', 400, utc(nextDay(day), '00:00:00'))
    await execSql(sql`update paypay_cashbacks set reversal_reserved = 100, reversed_amount = 100 where merchant_cashback_id = ${cb1}`)
    const rv1 = prefixedId('pcr')
    await execSql(sql`insert into paypay_cashback_reversals (merchant_cashback_reversal_id, merchant_cashback_id, user_id, amount, reversed_amount, status, requested_by, requested_at, updated_at)
      values (${rv1}, ${cb1}, 'hist-user', 100, 100, 'succeeded', 'user:admin', ${utc(day, '09:30:00').toISOString()}::timestamptz, ${utc(day, '09:30:00').toISOString()}::timestamptz)`)

    const job = await runJob('loyalty.export-history', { business_date: day })
    expect(job.status).toBe(200)
    expect(job.body).toMatchObject({ business_date: day, rows: 4, key: `paypay/history/ours/${day}.csv` })
    const fileId = job.body.file_id

    const files = await call('GET', '/api/admin/loyalty/history-files?source=ours&limit=100', { token: admin })
    expect(files.body.files.filter((f: any) => f.business_date === day)).toEqual([
      expect.objectContaining({ file_id: fileId, row_count: 4, source: 'ours' }),
    ])

    const all = await call('GET', `/api/admin/loyalty/history-files/${fileId}/rows`, { token: admin })
    expect(all.body.total).toBe(4)
    expect(all.body.rows.map((r: any) => r.merchant_cashback_reversal_id ?? r.merchant_cashback_id)).toEqual([cb1, rv1, cb2, cb3])
    expect(all.body.rows.map((r: any) => r.merchant_cashback_id)).not.toContain(cb4)
    const success = await call('GET', `/api/admin/loyalty/history-files/${fileId}/rows?status=success`, { token: admin })
    expect(success.body.total).toBe(2)
    expect(success.body.rows.map((r: any) => r.transaction_type).sort()).toEqual(['cashback', 'reversal'])
    const page2 = await call('GET', `/api/admin/loyalty/history-files/${fileId}/rows?limit=1&offset=1`, { token: admin })
    expect(page2.body.rows).toEqual([expect.objectContaining({ merchant_cashback_reversal_id: rv1, amount: 100, status: 'SUCCESS' })])
    const csv = await call('GET', `/api/admin/loyalty/history-files/${fileId}/content`, { token: admin })
    expect(csv.headers.get('content-type')).toContain('text/csv')
    expect(String(csv.body).split('\r\n')[0]).toBe(
      'transaction_type,merchant_cashback_id,merchant_cashback_reversal_id,user_id,amount,currency,status,requested_at,completed_at',
    )

    // The status moved on; the re-run (job or admin button, even concurrently) rewrites the same file.
    await execSql(sql`update paypay_cashbacks set status = 'succeeded', completed_at = now() where merchant_cashback_id = ${cb3}`)
    const reruns = await Promise.all([
      runJob('loyalty.export-history', { business_date: day }),
      call('POST', '/api/admin/loyalty/history-files/export', { token: admin, body: { business_date: day } }),
    ])
    expect(reruns[0].body.file_id).toBe(fileId)
    expect(reruns[1].body.file.file_id).toBe(fileId)
    const manifest = await execSql(
      sql`select count(*)::int as n from paypay_history_files where source = 'ours' and business_date = ${day}`,
    )
    expect(manifest[0].n).toBe(1)
    expect((await call('GET', `/api/admin/loyalty/history-files/${fileId}/rows?status=SUCCESS`, { token: admin })).body.total).toBe(3)
  })

  it('an uploaded PayPay file is stored beside ours and every mismatch is reported', async () => {
    const admin = await adminToken()
    const d = nextDay(nextDay(day))
    const ok = await cashbackRow('succeeded', 500, utc(d, '10:00:00'))
    const amountDiff = await cashbackRow('failed', 200, utc(d, '11:00:00'))
    const statusDiff = await cashbackRow('accepted', 300, utc(d, '12:00:00'))
    const notInTheirs = await cashbackRow('succeeded', 700, utc(d, '13:00:00'))
    const otherDay = await cashbackRow('succeeded', 800, utc(nextDay(d), '13:00:00'))
    const unknown = prefixedId('pcb')
    const content = [
      'merchantCashbackId,amount,status,requestedAt',
      `${ok},500,SUCCESS,`,
      `${amountDiff},250,FAILURE,`,
      `${statusDiff},300,SUCCESS,`,
      `${unknown},50,SUCCESS,`,
      `${otherDay},800,SUCCESS,`,
    ].join('\n')
    const up = await call('POST', '/api/admin/loyalty/history-files', { token: admin, body: { business_date: d, content } })
    expect(up.status).toBe(201)
    expect(up.body.file).toMatchObject({ source: 'paypay', business_date: d, row_count: 5, object_key: `paypay/history/paypay/${d}.csv` })
    const fileId = up.body.file.file_id

    const rec = await call('GET', `/api/admin/loyalty/history-files/${fileId}/reconciliation`, { token: admin })
    expect(rec.status).toBe(200)
    const byId = new Map<string, string[]>(rec.body.rows.map((r: any) => [r.merchant_cashback_id, r.problems]))
    expect(byId.get(ok)).toEqual([])
    expect(byId.get(otherDay)).toEqual([])
    expect(byId.get(amountDiff)).toEqual(['amount_mismatch'])
    expect(byId.get(statusDiff)).toEqual(['status_mismatch'])
    expect(byId.get(unknown)).toEqual(['missing_in_ours'])
    expect(byId.get(notInTheirs)).toEqual(['missing_in_paypay'])
    expect(rec.body.problems).toBe(4)
    const only = await call('GET', `/api/admin/loyalty/history-files/${fileId}/reconciliation?only_problems=true`, { token: admin })
    expect(only.body.total).toBe(4)

    // Same date again replaces PayPay's file; a file without the needed columns is refused.
    const again = await call('POST', '/api/admin/loyalty/history-files', { token: admin, body: { business_date: d, content } })
    expect(again.body.file.file_id).toBe(fileId)
    const bad = await call('POST', '/api/admin/loyalty/history-files', {
      token: admin,
      body: { business_date: d, content: 'id,total\n1,2' },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('HISTORY_FILE_INVALID')
    const ours = await call('POST', '/api/admin/loyalty/history-files/export', { token: admin, body: { business_date: d } })
    expect((await call('GET', `/api/admin/loyalty/history-files/${ours.body.file.file_id}/reconciliation`, { token: admin })).status).toBe(
      400,
    )
  })

  it('the admin API is for admins; the page shell is static and locked down by its CSP', async () => {
    const user = await token(`u-${uniq()}`)
    expect((await call('GET', '/api/admin/loyalty/history-files', { token: user })).status).toBe(403)
    expect((await call('GET', '/api/admin/loyalty/history-files')).status).toBe(401)
    const page = await call('GET', '/admin/loyalty/history')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(String(page.body)).toContain('<script src="/admin/loyalty/history.js"></script>')
    const js = await call('GET', '/admin/loyalty/history.js')
    expect(js.headers.get('content-type')).toContain('javascript')
    expect(String(js.body)).not.toContain('innerHTML')
  })
})
