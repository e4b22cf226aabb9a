import { z } from 'zod'
import { timingSafeEqualString } from '../../platform/crypto/constant-time.ts'
import { toHex } from '../../platform/crypto/encoding.ts'
import { DependencyUnavailable } from '../../platform/dependency.ts'
import type { VerifiedCharge } from '../domain/payment.ts'
import type { GatewayAnswer, GatewayRefund, PaymentGateway } from '../ports.ts'

const Envelope = z.object({ status: z.boolean(), message: z.string().optional(), data: z.unknown().optional() })

const Transaction = z.object({
  id: z.union([z.number(), z.string()]),
  status: z.string(),
  reference: z.string(),
  amount: z.union([z.number(), z.string()]).transform(Number),
  currency: z.string(),
  paid_at: z.string().nullable().optional(),
})

const Refund = z.object({
  id: z.union([z.number(), z.string()]),
  amount: z.union([z.number(), z.string()]).transform(Number),
  status: z.string(),
})

const STATUS: Record<string, VerifiedCharge['status']> = {
  success: 'success',
  failed: 'failed',
  abandoned: 'abandoned',
  reversed: 'reversed',
}

/**
 * Paystack's REST API (docs/protocols/paystack.md): Bearer secret key, JSON envelopes
 * `{status, message, data}`. 4xx answers are refusals (returned); 5xx, 429, timeouts and malformed
 * bodies are transient (thrown as DependencyUnavailable so callers answer 503 and Paystack or
 * QStash retries).
 */
export class PaystackGateway implements PaymentGateway {
  private hmacKey: ReturnType<typeof crypto.subtle.importKey> | null = null

  constructor(
    private readonly baseUrl: string,
    private readonly secretKey: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<GatewayAnswer<unknown>> {
    let res: Response
    try {
      res = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.secretKey}`, 'content-type': 'application/json', accept: 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (e) {
      throw new DependencyUnavailable('paystack', e)
    }
    const text = await res.text()
    let json: z.infer<typeof Envelope>
    try {
      json = Envelope.parse(JSON.parse(text))
    } catch (e) {
      throw new DependencyUnavailable('paystack', new Error(`unreadable answer (HTTP ${res.status}): ${text.slice(0, 120)}`, { cause: e }))
    }
    if (res.status >= 500 || res.status === 429)
      throw new DependencyUnavailable('paystack', new Error(`HTTP ${res.status}: ${json.message ?? ''}`))
    if (!res.ok || !json.status)
      return {
        ok: false,
        message: json.message ?? `HTTP ${res.status}`,
        notFound: res.status === 404 || /not found/i.test(json.message ?? ''),
      }
    return { ok: true, value: json.data }
  }

  async initialize(input: Parameters<PaymentGateway['initialize']>[0]) {
    const r = await this.call('POST', '/transaction/initialize', {
      email: input.email,
      amount: String(input.amount.amount),
      currency: input.amount.currency,
      reference: input.reference,
      callback_url: input.callbackUrl,
      metadata: input.metadata,
    })
    if (!r.ok) return r
    const d = z.object({ authorization_url: z.string(), access_code: z.string() }).safeParse(r.value)
    if (!d.success) throw new DependencyUnavailable('paystack', new Error('initialize answer without authorization_url'))
    return { ok: true as const, value: { authorizationUrl: d.data.authorization_url, accessCode: d.data.access_code } }
  }

  async verify(reference: string): Promise<GatewayAnswer<VerifiedCharge>> {
    const r = await this.call('GET', `/transaction/verify/${encodeURIComponent(reference)}`)
    if (!r.ok) return r
    const t = Transaction.safeParse(r.value)
    if (!t.success) throw new DependencyUnavailable('paystack', new Error('verify answer without a transaction'))
    return {
      ok: true,
      value: {
        reference: t.data.reference,
        status: STATUS[t.data.status] ?? 'pending',
        amount: t.data.amount,
        currency: t.data.currency,
        gatewayTransactionId: String(t.data.id),
        paidAt: t.data.paid_at ? new Date(t.data.paid_at) : null,
      },
    }
  }

  async refund(input: Parameters<PaymentGateway['refund']>[0]): Promise<GatewayAnswer<GatewayRefund>> {
    const r = await this.call('POST', '/refund', {
      transaction: input.reference,
      amount: input.amount.amount,
      currency: input.amount.currency,
      merchant_note: input.note.slice(0, 200),
    })
    if (!r.ok) return r
    const d = Refund.safeParse(r.value)
    if (!d.success) throw new DependencyUnavailable('paystack', new Error('refund answer without a refund'))
    return { ok: true, value: { gatewayRefundId: String(d.data.id), amount: d.data.amount, status: d.data.status } }
  }

  async listRefunds(reference: string): Promise<GatewayAnswer<GatewayRefund[]>> {
    const r = await this.call('GET', `/refund?transaction=${encodeURIComponent(reference)}&perPage=100`)
    if (!r.ok) return r
    const d = z.array(Refund).safeParse(r.value)
    if (!d.success) throw new DependencyUnavailable('paystack', new Error('refund list unreadable'))
    return { ok: true, value: d.data.map((x) => ({ gatewayRefundId: String(x.id), amount: x.amount, status: x.status })) }
  }

  async verifySignature(rawBody: string, signature: string | null): Promise<boolean> {
    if (!signature || !/^[0-9a-f]{128}$/i.test(signature)) return false
    this.hmacKey ??= crypto.subtle.importKey('raw', new TextEncoder().encode(this.secretKey), { name: 'HMAC', hash: 'SHA-512' }, false, [
      'sign',
    ])
    const mac = await crypto.subtle.sign('HMAC', await this.hmacKey, new TextEncoder().encode(rawBody))
    return timingSafeEqualString(toHex(new Uint8Array(mac)), signature.toLowerCase())
  }
}
