/**
 * ZaloPay's MAC recipes (docs/protocols/zalopay.md): lowercase hex HMAC-SHA256 over `|`-joined
 * fields in a fixed per-endpoint order, using the exact strings the merchant sent — so the inputs
 * here take raw request strings, never re-serialised numbers or JSON.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Params } from './params.ts'

export function hmacHex(key: string, input: string): string {
  return createHmac('sha256', key).update(input, 'utf8').digest('hex')
}

/** Constant-time compare; exact lowercase hex, as the official SDK and samples produce. */
export function macMatches(key: string, input: string, mac: string | undefined): boolean {
  if (mac === undefined) return false
  const expected = Buffer.from(hmacHex(key, input))
  const given = Buffer.from(mac)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

const join = (p: Params, fields: readonly string[]) => fields.map((f) => p[f] ?? '').join('|')

export const macInput = {
  create: (p: Params) => join(p, ['app_id', 'app_trans_id', 'app_user', 'amount', 'app_time', 'embed_data', 'item']),
  /** The query MAC really does put key1 inside its own input. */
  query: (p: Params, key1: string) => `${join(p, ['app_id', 'app_trans_id'])}|${key1}`,
  /** The fee variant applies whenever the merchant sends refund_fee_amount. */
  refund: (p: Params) =>
    p['refund_fee_amount'] !== undefined
      ? join(p, ['app_id', 'zp_trans_id', 'amount', 'refund_fee_amount', 'description', 'timestamp'])
      : join(p, ['app_id', 'zp_trans_id', 'amount', 'description', 'timestamp']),
  queryRefund: (p: Params) => join(p, ['app_id', 'm_refund_id', 'timestamp']),
  /** Browser redirect checksum, signed with key2 (sample-level fact, docs/protocols/zalopay.md). */
  redirect: (p: Params) => join(p, ['appid', 'apptransid', 'pmcid', 'bankcode', 'amount', 'discountamount', 'status']),
}
