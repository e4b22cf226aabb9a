/** ZaloPay dates ids (app_trans_id, m_refund_id, zp_trans_id) by the calendar day in Vietnam. */
const VIETNAM_OFFSET_MS = 7 * 3600 * 1000

/** yyMMdd of the instant `ms` in GMT+7 (Vietnam has no DST). */
export function vnYymmdd(ms: number): string {
  return new Date(ms + VIETNAM_OFFSET_MS).toISOString().slice(2, 10).replaceAll('-', '')
}
