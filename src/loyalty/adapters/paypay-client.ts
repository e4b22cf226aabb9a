import { jwtVerify } from 'jose'
import { fromBase64 } from '../../platform/crypto/encoding.ts'
import type { Logger } from '../../shared/logger.ts'
import type { PayPayTxStatus } from '../domain/paypay-request.ts'
import type { ResponseTokenClaims } from '../domain/link.ts'
import type { AuthorizationStatus, CashbackDetails, PayPayGateway, PayPayResult, ReversalDetails } from '../ports.ts'
import { opaAuthorization, opaNonce } from './opa-auth.ts'

/** Global pacing of PayPay calls (RedisRateGate): a slot before each call, a pause after a 429. */
export interface RateGate {
  /** Waits for a free slot; false when none comes within maxWaitMs. */
  acquire(maxWaitMs: number): Promise<boolean>
  /** Nobody calls PayPay for `ms` (PayPay answered 429). */
  pause(ms: number): Promise<void>
}

export interface PayPayClientOptions {
  /** e.g. https://stg-api.sandbox.paypay.ne.jp (docs/protocols/paypay-opa.md, "Hosts"). */
  readonly baseUrl: string
  readonly apiKey: string
  /** As issued (base64): the HMAC key is this string, the responseToken key its decoded bytes. */
  readonly apiSecret: string
  readonly merchantId: string
  /** Per call; PayPay's SDKs use 30 s for Give/Reverse and 15 s for the checks. */
  readonly timeoutMs: number
  readonly gate: RateGate
  readonly logger: Logger
  /** How often one call is retried after a 429 before it is reported as transient (default 3). */
  readonly rateLimitRetries?: number
  /** Longest wait for a rate slot (default 10 s). */
  readonly maxQueueMs?: number
}

type Raw =
  | {
      readonly answered: true
      readonly status: number
      readonly code: string
      readonly message: string
      readonly data: unknown
      readonly retryAfterMs: number | null
    }
  | { readonly answered: false; readonly code: string; readonly message: string }

/** Codes that say "try again later" rather than "no" (docs/protocols/paypay-opa.md, "Errors"; our credentials count: a fix makes the retry work). */
const TRANSIENT_CODES = new Set([
  'RATE_LIMIT',
  'INTERNAL_SERVER_ERROR',
  'SERVICE_ERROR',
  'MAINTENANCE_MODE',
  'UNAUTHORIZED',
  'OPA_CLIENT_NOT_FOUND',
])
const TX_STATUSES: readonly PayPayTxStatus[] = ['ACCEPTED', 'SUCCESS', 'FAILURE']

const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)

/**
 * PayPay's Open Payment API over fetch, with our own OPA-Auth signer (Web Crypto + a small MD5),
 * so it runs in workerd and Deno alike. Every call waits for a rate slot; a 429 pauses everyone
 * and the call is retried with backoff (it was not processed); anything else is classified once:
 * `refused` (PayPay's final no) or `transient` (retry unchanged, the same ids).
 */
export class PayPayOpaClient implements PayPayGateway {
  private readonly baseUrl: string
  private readonly tokenKey: Uint8Array

  constructor(private readonly o: PayPayClientOptions) {
    this.baseUrl = o.baseUrl.replace(/\/+$/, '')
    this.tokenKey = fromBase64(o.apiSecret)
  }

  async createLinkSession(input: { nonce: string; referenceId: string; redirectUrl: string }): Promise<PayPayResult<{ linkUrl: string }>> {
    const raw = await this.send('qr_session', 'POST', '/v1/qr/sessions', {
      scopes: ['cashback'],
      nonce: input.nonce,
      redirectType: 'WEB_LINK',
      redirectUrl: input.redirectUrl,
      referenceId: input.referenceId,
    })
    return classify(raw, (r) => {
      const url = str(obj(r.data)?.['linkQRCodeURL'])
      return url ? { linkUrl: url } : null
    })
  }

  async verifyResponseToken(token: string): Promise<{ ok: true; claims: ResponseTokenClaims } | { ok: false; reason: string }> {
    try {
      const { payload } = await jwtVerify(token, this.tokenKey, { algorithms: ['HS256'] })
      const result = str(payload['result'])
      const nonce = str(payload['nonce'])
      if (!result || !nonce) return { ok: false, reason: 'result or nonce missing' }
      return {
        ok: true,
        claims: {
          result,
          nonce,
          userAuthorizationId: str(payload['userAuthorizationId']),
          referenceId: str(payload['referenceId']),
          profileIdentifier: str(payload['profileIdentifier']),
        },
      }
    } catch (e) {
      return { ok: false, reason: e instanceof Error ? e.message : 'does not verify' }
    }
  }

  async authorizationStatus(userAuthorizationId: string): Promise<PayPayResult<AuthorizationStatus>> {
    const raw = await this.send(
      'user_authorization_status',
      'GET',
      `/v2/user/authorizations?userAuthorizationId=${encodeURIComponent(userAuthorizationId)}`,
    )
    return classify(raw, (r) => {
      const d = obj(r.data)
      const status = str(d?.['status'])
      if (!status) return null
      const expireAt = d?.['expireAt']
      return { status, expiresAt: typeof expireAt === 'number' ? new Date(expireAt * 1000) : null }
    })
  }

  async unlink(userAuthorizationId: string): Promise<PayPayResult<null>> {
    const raw = await this.send('unlink_user', 'DELETE', `/v2/user/authorizations/${encodeURIComponent(userAuthorizationId)}`)
    return classify<null>(raw, () => null, true)
  }

  async giveCashback(input: {
    merchantCashbackId: string
    userAuthorizationId: string
    amount: number
    requestedAt: Date
    orderDescription: string
  }): Promise<PayPayResult<null>> {
    const raw = await this.send('give_cashback', 'POST', '/v2/cashback', {
      merchantCashbackId: input.merchantCashbackId,
      userAuthorizationId: input.userAuthorizationId,
      amount: { amount: input.amount, currency: 'JPY' },
      requestedAt: Math.floor(input.requestedAt.getTime() / 1000),
      orderDescription: input.orderDescription,
      walletType: 'PREPAID',
    })
    return classify<null>(raw, (r) => (r.code === 'REQUEST_ACCEPTED' ? null : undefined), true)
  }

  async checkCashback(merchantCashbackId: string): Promise<PayPayResult<CashbackDetails>> {
    const raw = await this.send('check_cashback', 'GET', `/v2/cashback/${encodeURIComponent(merchantCashbackId)}`)
    return classify(raw, (r) => {
      const t = txDetails(r)
      return t && { ...t, cashbackId: str(obj(r.data)?.['cashbackId']) }
    })
  }

  async reverseCashback(input: {
    merchantCashbackReversalId: string
    merchantCashbackId: string
    amount: number
    requestedAt: Date
    reason: string | null
  }): Promise<PayPayResult<null>> {
    const raw = await this.send('reverse_cashback', 'POST', '/v2/cashback_reversal', {
      merchantCashbackReversalId: input.merchantCashbackReversalId,
      merchantCashbackId: input.merchantCashbackId,
      amount: { amount: input.amount, currency: 'JPY' },
      requestedAt: Math.floor(input.requestedAt.getTime() / 1000),
      ...(input.reason !== null && { reason: input.reason.slice(0, 255) }),
    })
    // Reversal acceptance: any 2xx with REQUEST_ACCEPTED; PayPay publishes no HTTP status for it
    // (docs/protocols/paypay-opa.md).
    return classify<null>(raw, (r) => (r.code === 'REQUEST_ACCEPTED' ? null : undefined), true)
  }

  async checkReversal(merchantCashbackReversalId: string, merchantCashbackId: string): Promise<PayPayResult<ReversalDetails>> {
    // Reversal id FIRST (docs/protocols/paypay-opa.md, "Endpoints").
    const raw = await this.send(
      'check_reversal',
      'GET',
      `/v2/cashback_reversal/${encodeURIComponent(merchantCashbackReversalId)}/${encodeURIComponent(merchantCashbackId)}`,
    )
    return classify(raw, (r) => {
      const t = txDetails(r)
      return t && { ...t, cashbackReversalId: str(obj(r.data)?.['cashbackReversalId']) }
    })
  }

  // ---- transport -------------------------------------------------------------------------------

  private async send(
    operation: string,
    method: 'GET' | 'POST' | 'DELETE',
    pathAndQuery: string,
    body?: Record<string, unknown>,
  ): Promise<Raw> {
    const retries = this.o.rateLimitRetries ?? 3
    for (let attempt = 0; ; attempt++) {
      if (!(await this.o.gate.acquire(this.o.maxQueueMs ?? 10_000))) {
        return { answered: false, code: 'RATE_LIMIT', message: 'no PayPay rate slot within the queue time' }
      }
      const raw = await this.once(method, pathAndQuery, body)
      if (!(raw.answered && (raw.status === 429 || raw.code === 'RATE_LIMIT'))) return raw
      // Not processed: back off (everyone), then the same request again.
      const backoff = raw.retryAfterMs ?? Math.min(4000, 250 * 2 ** attempt) + Math.floor(Math.random() * 100)
      await this.o.gate.pause(backoff)
      this.o.logger.warn('paypay rate limited; backing off', { operation, attempt, backoff_ms: backoff })
      if (attempt >= retries) return raw
    }
  }

  private async once(method: string, pathAndQuery: string, body?: Record<string, unknown>): Promise<Raw> {
    const text = body === undefined ? null : JSON.stringify(body)
    const contentType = 'application/json'
    const headers: Record<string, string> = {
      authorization: await opaAuthorization(this.o.apiKey, this.o.apiSecret, {
        method,
        path: pathAndQuery,
        nonce: opaNonce(),
        epoch: Math.floor(Date.now() / 1000),
        contentType,
        body: text,
      }),
      'x-assume-merchant': this.o.merchantId,
      accept: 'application/json',
    }
    if (text !== null) headers['content-type'] = contentType
    let res: Response
    try {
      res = await fetch(`${this.baseUrl}${pathAndQuery}`, {
        method,
        headers,
        ...(text !== null && { body: text }),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      })
    } catch (e) {
      const timeout = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
      return { answered: false, code: timeout ? 'TIMEOUT' : 'NETWORK_ERROR', message: e instanceof Error ? e.message : String(e) }
    }
    let json: Record<string, unknown> | null = null
    try {
      json = obj(JSON.parse(await res.text()))
    } catch {
      json = null
    }
    const info = obj(json?.['resultInfo'])
    const code = str(info?.['code'])
    if (!code) return { answered: false, code: `HTTP_${res.status}`, message: 'answer without a readable resultInfo' }
    const retryAfter = Number(res.headers.get('retry-after'))
    return {
      answered: true,
      status: res.status,
      code,
      message: str(info?.['message']) ?? '',
      data: json?.['data'] ?? null,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 10_000) : null,
    }
  }
}

/**
 * One reading of an answer: a 2xx whose body has the expected shape is success; 429, 5xx and the
 * transient codes (or no readable answer at all) are transient; any other refusal is final.
 * `parse` returns null for "no data expected" when `nullIsData`, undefined (or null otherwise)
 * for an unexpected 2xx shape, which is treated as transient (we do not know what happened).
 */
/** What both Check … Details answers carry; null when the status is not one PayPay documents. */
function txDetails(r: Extract<Raw, { answered: true }>): { status: PayPayTxStatus; amount: number; failureCode: string | null } | null {
  const d = obj(r.data)
  const status = d?.['status'] as PayPayTxStatus | undefined
  if (!status || !TX_STATUSES.includes(status)) return null
  return {
    status,
    amount: Number(obj(d?.['amount'])?.['amount'] ?? 0),
    failureCode: status === 'FAILURE' ? (r.code !== 'SUCCESS' ? r.code : 'FAILURE') : null,
  }
}

function classify<T>(raw: Raw, parse: (r: Extract<Raw, { answered: true }>) => T | null | undefined, nullIsData = false): PayPayResult<T> {
  if (!raw.answered) return { ok: false, kind: 'transient', code: raw.code, message: raw.message, httpStatus: null }
  if (raw.status >= 200 && raw.status < 300) {
    const data = parse(raw)
    if (data !== undefined && (data !== null || nullIsData)) return { ok: true, code: raw.code, data: data as T }
    return { ok: false, kind: 'transient', code: raw.code, message: `unexpected ${raw.status} answer`, httpStatus: raw.status }
  }
  const kind = raw.status === 429 || raw.status >= 500 || TRANSIENT_CODES.has(raw.code) ? 'transient' : 'refused'
  return { ok: false, kind, code: raw.code, message: raw.message, httpStatus: raw.status }
}
