import { DependencyUnavailable } from '../../platform/dependency.ts'
import type { CallbackCheck, CreateOrderAnswer, GatewayObservation, GatewayOrder, PaymentGateway, RefundObservation } from '../ports.ts'
import { hmacSha256Hex, macInput, macMatches } from './zalopay-mac.ts'

export interface ZaloPayConfig {
  readonly appId: number
  readonly key1: string
  readonly key2: string
  /** https://sb-openapi.zalopay.vn (sandbox), https://openapi.zalopay.vn (production), or the local sandbox. */
  readonly apiUrl: string
  readonly timeoutMs?: number
}

interface Envelope {
  return_code: number
  return_message?: string
  sub_return_code?: number
  sub_return_message?: string
  [k: string]: unknown
}

const DUPLICATE = -68
/** Sub codes that say nothing about the order: our request, the app, or ZaloPay itself failed. */
const INCONCLUSIVE = new Set([-401, -402, -429, -500, -999, -33])
const EXPIRED = -54
const USER_CANCELLED = -329

/**
 * ZaloPay Open API v2 (docs/protocols/zalopay.md): form-encoded POSTs with key1 MACs; business
 * outcomes are HTTP 200 with return_code 1 (success) / 2 (fail) / 3 (processing). Anything else (transport
 * failure, non-200, unparseable) throws DependencyUnavailable: the caller answers 503 and a retry
 * or the scheduled reconciliation finishes the job.
 */
export class ZaloPayGateway implements PaymentGateway {
  readonly appId: number

  constructor(private readonly config: ZaloPayConfig) {
    this.appId = config.appId
  }

  async createOrder(o: GatewayOrder): Promise<CreateOrderAnswer> {
    const fields = {
      app_id: String(this.appId),
      app_user: o.appUser,
      app_trans_id: o.appTransId,
      app_time: String(o.appTime),
      amount: String(o.amount),
      description: o.description,
      item: o.item,
      embed_data: o.embedData,
      bank_code: '',
      callback_url: o.callbackUrl,
      expire_duration_seconds: String(o.expireSeconds),
    }
    const mac = await hmacSha256Hex(this.config.key1, macInput.create({ ...o, appId: this.appId }))
    const r = await this.post('/v2/create', { ...fields, mac })
    if (r.return_code === 1 && typeof r['order_url'] === 'string') {
      return { ok: true, orderUrl: r['order_url'], zpTransToken: String(r['zp_trans_token'] ?? r['order_token'] ?? '') }
    }
    const subCode = r.sub_return_code ?? 0
    if (subCode === -429 || subCode === -500 || subCode === -999)
      throw new DependencyUnavailable('zalopay', new Error(`create: ${subCode}`))
    return { ok: false, duplicate: subCode === DUPLICATE, subCode, message: r.sub_return_message ?? r.return_message ?? 'refused' }
  }

  async queryOrder(appTransId: string): Promise<GatewayObservation> {
    const mac = await hmacSha256Hex(this.config.key1, macInput.query(this.appId, appTransId, this.config.key1))
    const r = await this.post('/v2/query', { app_id: String(this.appId), app_trans_id: appTransId, mac })
    if (r.return_code === 1) {
      const serverTime = Number(r['server_time'])
      return {
        status: 'paid',
        amount: Number(r['amount']),
        transactionId: String(r['zp_trans_id']),
        paidAt: Number.isFinite(serverTime) && serverTime > 0 ? new Date(serverTime) : new Date(),
      }
    }
    if (r.return_code === 3) return { status: r['is_processing'] === true ? 'processing' : 'pending' }
    const subCode = r.sub_return_code ?? 0
    if (subCode === EXPIRED) return { status: 'expired', subCode }
    if (subCode === USER_CANCELLED) return { status: 'cancelled', subCode }
    if (subCode === -401) return { status: 'unknown' }
    if (INCONCLUSIVE.has(subCode)) throw new DependencyUnavailable('zalopay', new Error(`query: ${subCode} ${r.sub_return_message ?? ''}`))
    return { status: 'failed', subCode }
  }

  /** Verifies `{data, mac, type}`: the MAC over the exact data string, before parsing the data. */
  async verifyCallback(rawBody: string): Promise<CallbackCheck> {
    let envelope: unknown
    try {
      envelope = JSON.parse(rawBody)
    } catch {
      return { ok: false, reason: 'malformed' }
    }
    if (typeof envelope !== 'object' || envelope === null) return { ok: false, reason: 'malformed' }
    const { data, mac } = envelope as { data?: unknown; mac?: unknown }
    if (typeof data !== 'string' || typeof mac !== 'string') return { ok: false, reason: 'malformed' }
    if (!(await macMatches(this.config.key2, data, mac))) return { ok: false, reason: 'mac' }
    let parsed: unknown
    try {
      parsed = JSON.parse(data)
    } catch {
      return { ok: false, reason: 'malformed' }
    }
    const d = parsed as Record<string, unknown>
    if (typeof d !== 'object' || d === null || typeof d['app_trans_id'] !== 'string' || d['zp_trans_id'] === undefined) {
      return { ok: false, reason: 'malformed' }
    }
    return { ok: true, appTransId: d['app_trans_id'], transactionId: String(d['zp_trans_id']), amount: Number(d['amount']), data: d }
  }

  async refund(r: {
    mRefundId: string
    transactionId: string
    amount: number
    description: string
    timestamp: number
  }): Promise<RefundObservation> {
    const mac = await hmacSha256Hex(
      this.config.key1,
      macInput.refund({
        appId: this.appId,
        zpTransId: r.transactionId,
        amount: r.amount,
        description: r.description,
        timestamp: r.timestamp,
      }),
    )
    const res = await this.post('/v2/refund', {
      app_id: String(this.appId),
      m_refund_id: r.mRefundId,
      zp_trans_id: r.transactionId,
      amount: String(r.amount),
      timestamp: String(r.timestamp),
      description: r.description,
      mac,
    })
    return this.refundOutcome(res)
  }

  async queryRefund(mRefundId: string, timestamp: number): Promise<RefundObservation> {
    const mac = await hmacSha256Hex(this.config.key1, macInput.queryRefund(this.appId, mRefundId, timestamp))
    const res = await this.post('/v2/query_refund', {
      app_id: String(this.appId),
      m_refund_id: mRefundId,
      timestamp: String(timestamp),
      mac,
    })
    return this.refundOutcome(res)
  }

  private refundOutcome(r: Envelope): RefundObservation {
    const gatewayRefundId = r['refund_id'] !== undefined ? String(r['refund_id']) : undefined
    if (r.return_code === 1) return { status: 'succeeded', ...(gatewayRefundId && { gatewayRefundId }) }
    if (r.return_code === 3) return { status: 'processing', ...(gatewayRefundId && { gatewayRefundId }) }
    const subCode = r.sub_return_code ?? 0
    if (subCode === -429 || subCode === -500 || subCode === -999 || subCode === -402) {
      throw new DependencyUnavailable('zalopay', new Error(`refund: ${subCode}`))
    }
    return { status: 'failed', subCode, message: r.sub_return_message ?? r.return_message ?? 'refused' }
  }

  private async post(path: string, fields: Record<string, string>): Promise<Envelope> {
    let res: Response
    try {
      res = await fetch(`${this.config.apiUrl.replace(/\/$/, '')}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 10_000),
      })
    } catch (e) {
      throw new DependencyUnavailable('zalopay', e)
    }
    const text = await res.text().catch(() => '')
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    if (res.status !== 200 || typeof body !== 'object' || body === null || typeof (body as Envelope).return_code !== 'number') {
      throw new DependencyUnavailable('zalopay', new Error(`${path}: HTTP ${res.status}`))
    }
    return body as Envelope
  }
}
