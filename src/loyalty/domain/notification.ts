import type { MerchantCashbackId } from './cashback.ts'
import type { MerchantCashbackReversalId } from './reversal.ts'

/**
 * What a PayPay notification names. Its schema is unpublished (docs/protocols/paypay-opa.md,
 * "Notifications"), so the ids are looked for wherever the plausible shapes put them: top level
 * or nested (`data`, `notification`, `cashback`, arrays, a JSON string inside a field or a form value), under any spelling of the id
 * keys (merchantCashbackId, merchant_cashback_id, merchantCashbackReversalId, merchantRefundId,
 * merchant_order_id, …). Our own ids have a shape nobody else's has (`pcb_` / `pcr_` + a ULID), so
 * one of those anywhere in the body counts; a value under an id key that is not ours is
 * `foreign` (another merchant's, PayPay's own, forged). Nothing else in the body is used: the
 * status always comes from PayPay's API.
 */
export interface NotificationIds {
  readonly cashbackIds: readonly MerchantCashbackId[]
  readonly reversalIds: readonly MerchantCashbackReversalId[]
  readonly foreign: readonly string[]
}

const CASHBACK_ID = /^pcb_[0-9A-HJKMNP-TV-Z]{26}$/
const REVERSAL_ID = /^pcr_[0-9A-HJKMNP-TV-Z]{26}$/

/** Id keys, compared lower-cased without separators (`merchant_cashback_id` = `merchantCashbackId`). */
const ID_KEYS = new Set([
  'merchantcashbackid',
  'merchantcashbackreversalid',
  'merchantreversalid',
  'merchantrefundid',
  'merchantpaymentid',
  'merchantorderid',
])
const normalise = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, '')

/** Bounds on what one body may make us walk. */
const MAX_DEPTH = 8
const MAX_NODES = 2_000
const MAX_IDS = 5

export function findNotificationIds(body: unknown): NotificationIds {
  const cashbackIds = new Set<MerchantCashbackId>()
  const reversalIds = new Set<MerchantCashbackReversalId>()
  const foreign = new Set<string>()
  let nodes = 0

  const visit = (value: unknown, key: string | null, depth: number): void => {
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) return
    if (typeof value === 'string') {
      const s = value.trim()
      if (CASHBACK_ID.test(s)) add(cashbackIds, s as MerchantCashbackId)
      else if (REVERSAL_ID.test(s)) add(reversalIds, s as MerchantCashbackReversalId)
      else if (s.startsWith('{') || s.startsWith('[')) visit(parseJson(s), key, depth + 1)
      else if (key !== null && ID_KEYS.has(normalise(key)) && s.length > 0) add(foreign, s.slice(0, 64))
      return
    }
    if (typeof value === 'number' && key !== null && ID_KEYS.has(normalise(key))) add(foreign, String(value))
    if (Array.isArray(value)) for (const item of value) visit(item, key, depth + 1)
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k, depth + 1)
  }
  visit(body, null, 0)
  return { cashbackIds: [...cashbackIds], reversalIds: [...reversalIds], foreign: [...foreign] }
}

function add<T>(set: Set<T>, v: T): void {
  if (set.size < MAX_IDS) set.add(v)
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s)
  } catch {
    return undefined
  }
}
