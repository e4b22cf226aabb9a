/** POST /v2/create and POST /v2/query (docs/protocols/zalopay.md). */
import { failure, processing, SUB, success, type Reply } from './codes.ts'
import type { SandboxContext } from './context.ts'
import { macInput, macMatches } from './mac.ts'
import { isDigits, isPositiveInt, type Params } from './params.ts'
import { qrCodePayload } from './qr.ts'
import { effectiveStatus, newZpTransToken, type Order } from './store.ts'
import { vnYymmdd } from './vn-time.ts'

const CREATE_REQUIRED = ['app_id', 'app_user', 'app_trans_id', 'app_time', 'amount', 'description', 'item', 'embed_data', 'mac'] as const
const DEFAULT_EXPIRE_SECONDS = 15 * 60
const APP_TIME_WINDOW_MS = 15 * 60 * 1000

export function createOrder(ctx: SandboxContext, p: Params): Reply {
  const formatError = createFormatError(p)
  if (formatError) return failure(SUB.ILLEGAL_DATA, formatError)
  if (Number(p['app_id']) !== ctx.appId) return failure(SUB.ILLEGAL_APP, `app_id ${p['app_id']}`)
  if (!macMatches(ctx.key1, macInput.create(p), p['mac'])) return failure(SUB.BAD_MAC)

  const now = ctx.now()
  const appTransId = p['app_trans_id']!
  const today = vnYymmdd(now)
  if (!appTransId.startsWith(today)) return failure(SUB.ILLEGAL_DATA, `app_trans_id must start with today's yyMMdd in GMT+7 (${today})`)
  const appTime = Number(p['app_time'])
  if (Math.abs(now - appTime) > APP_TIME_WINDOW_MS) return failure(SUB.ILLEGAL_DATA, 'app_time must be unix ms within 15 minutes of now')
  if (ctx.store.orders.has(appTransId)) return failure(SUB.DUPLICATE)

  const embed = JSON.parse(p['embed_data']!) as Record<string, unknown>
  const redirectUrl = typeof embed['redirecturl'] === 'string' ? embed['redirecturl'] : p['redirect_url']
  const order: Order = {
    appId: ctx.appId,
    appTransId,
    appUser: p['app_user']!,
    appTime,
    amount: Number(p['amount']),
    description: p['description']!,
    item: p['item']!,
    embedData: p['embed_data']!,
    bankCode: p['bank_code'] ?? '',
    ...(p['callback_url'] && { callbackUrl: p['callback_url'] }),
    ...(redirectUrl && { redirectUrl }),
    zpTransToken: newZpTransToken(),
    createdAt: now,
    expireAt: now + Number(p['expire_duration_seconds'] ?? DEFAULT_EXPIRE_SECONDS) * 1000,
    status: 'pending',
  }
  ctx.store.addOrder(order)
  ctx.log(`create ${appTransId} ${order.amount} VND → ${ctx.publicUrl}/pay/${order.zpTransToken}`)
  return success({
    zp_trans_token: order.zpTransToken,
    order_url: `${ctx.publicUrl}/pay/${order.zpTransToken}`,
    order_token: order.zpTransToken,
    qr_code: qrCodePayload(order.zpTransToken, order.amount),
  })
}

/** Shape checks that need no clock or state; returns what is wrong, if anything. */
function createFormatError(p: Params): string | undefined {
  const missing = CREATE_REQUIRED.find((f) => p[f] === undefined || p[f].trim() === '')
  if (missing) return `missing ${missing}`
  if (!isDigits(p['app_id'])) return 'app_id must be an integer'
  if (p['app_user']!.length > 50) return 'app_user longer than 50'
  if (p['app_trans_id']!.length > 40) return 'app_trans_id longer than 40'
  if (!isDigits(p['app_time'])) return 'app_time must be an integer (unix ms)'
  if (!isPositiveInt(p['amount'])) return 'amount must be a positive integer (VND)'
  if (p['description']!.length > 256) return 'description longer than 256'
  if (p['item']!.length > 2048 || !Array.isArray(parseJson(p['item']!))) return 'item must be a JSON array string of at most 2048 chars'
  const embed = parseJson(p['embed_data']!)
  if (typeof embed !== 'object' || embed === null || Array.isArray(embed)) return 'embed_data must be a JSON object string'
  const expire = p['expire_duration_seconds']
  if (expire !== undefined && (!isDigits(expire) || Number(expire) < 300 || Number(expire) > 2_592_000)) {
    return 'expire_duration_seconds must be 300..2592000'
  }
  const callbackUrl = p['callback_url']
  if (callbackUrl !== undefined && callbackUrl !== '' && !isHttpUrl(callbackUrl)) return 'callback_url must be an http(s) URL'
  return undefined
}

export function queryOrder(ctx: SandboxContext, p: Params): Reply {
  const missing = (['app_id', 'app_trans_id', 'mac'] as const).find((f) => !p[f])
  if (missing) return failure(SUB.ILLEGAL_DATA, `missing ${missing}`)
  if (!isDigits(p['app_id'])) return failure(SUB.ILLEGAL_DATA, 'app_id must be an integer')
  if (Number(p['app_id']) !== ctx.appId) return failure(SUB.ILLEGAL_APP, `app_id ${p['app_id']}`)
  if (!macMatches(ctx.key1, macInput.query(p, ctx.key1), p['mac'])) return failure(SUB.BAD_MAC)

  const order = ctx.store.orders.get(p['app_trans_id']!)
  if (!order) return failure(SUB.NOT_FOUND, p['app_trans_id'], { is_processing: false, amount: 0, zp_trans_id: 0 })
  const now = ctx.now()
  const state = effectiveStatus(order, now)
  // server_time/discount_amount are [UNCONFIRMED] in query answers: adapters must not need them.
  const fields = (isProcessing: boolean) => ({
    is_processing: isProcessing,
    amount: order.paidAmount ?? order.amount,
    discount_amount: 0,
    zp_trans_id: order.zpTransId ?? 0,
    server_time: order.serverTime ?? now,
  })
  switch (state) {
    case 'paid':
      // The SDK's recorded query answer carries empty messages on success.
      return success(fields(false), '')
    case 'pending':
      return processing(fields(false))
    case 'processing':
      return processing(fields(true))
    case 'expired':
      return failure(SUB.EXPIRED, undefined, fields(false))
    case 'failed':
    case 'cancelled':
      return failure(order.failure ?? SUB.PAYMENT_FAILED, undefined, fields(false))
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}
