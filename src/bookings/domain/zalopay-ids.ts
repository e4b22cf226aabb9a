/**
 * ZaloPay dates its ids by the calendar day in Vietnam (GMT+7, no DST): an app_trans_id must
 * start with today's yyMMdd, an m_refund_id is `yyMMdd_<appId>_<id>` (docs/protocols/zalopay.md).
 */
const VIETNAM_OFFSET_MS = 7 * 3600 * 1000

export const vnYymmdd = (at: Date): string => new Date(at.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(2, 10).replaceAll('-', '')

/** `yyMMdd_<ulid>` from the session id `ps_<ulid>`: 33 characters, within ZaloPay's 40. */
export const appTransIdFor = (sessionId: string, at: Date): string => `${vnYymmdd(at)}_${sessionId.replace(/^[a-z]+_/, '')}`

export const mRefundIdFor = (refundId: string, appId: number, at: Date): string =>
  `${vnYymmdd(at)}_${appId}_${refundId.replace(/^[a-z]+_/, '')}`

/** An app_trans_id can only be (re)sent on the Vietnamese day it names. */
export const isToday = (appTransId: string, at: Date): boolean => appTransId.startsWith(`${vnYymmdd(at)}_`)
