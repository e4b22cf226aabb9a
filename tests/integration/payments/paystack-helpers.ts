import { env, SELF } from 'cloudflare:test'
import { expect } from 'vitest'
import { call, token, uniq } from '../helpers.ts'
import { newProduct } from '../commerce/fixtures.ts'
import { sharedDb } from '../db.ts'

const e = env as unknown as Record<string, string>
export const sandboxUrl = () => e['PAYSTACK_API_URL']!

/** Talks to the Paystack sandbox's control API (or its API with the secret key). */
export async function sandbox(method: string, path: string, body?: unknown, auth = false): Promise<any> {
  const res = await fetch(`${sandboxUrl()}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(auth && { authorization: `Bearer ${e['PAYSTACK_SECRET_KEY']}` }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return text ? JSON.parse(text) : null
}

/** The signed body the sandbox produced for an event (it cannot reach the Worker under test). */
export async function recordedWebhook(reference: string, event: string): Promise<{ body: string; signature: string }> {
  const log = await sandbox('GET', `/__control/webhooks?reference=${encodeURIComponent(reference)}&event=${encodeURIComponent(event)}`)
  const last = log.events.at(-1)
  expect(last, `no ${event} recorded for ${reference}`).toBeTruthy()
  return { body: last.body, signature: last.signature }
}

export async function deliver(w: { body: string; signature: string }): Promise<{ status: number; body: any }> {
  const res = await SELF.fetch('http://worker.test/webhooks/paystack', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-paystack-signature': w.signature },
    body: w.body,
  })
  return { status: res.status, body: await res.json() }
}

export interface PendingPayment {
  user: string
  orderId: string
  variantId: string
  reference: string
  paymentId: string
  authorizationUrl: string
  total: number
}

/** A product, an order of `quantity` units by a new user, and its initialized Paystack payment. */
export async function pendingPayment(opts: { stock?: number; quantity?: number; price?: number } = {}): Promise<PendingPayment> {
  const { variants } = await newProduct([{ stock: opts.stock ?? 5, price: opts.price ?? 5000 }])
  const user = await token(`payer-${uniq()}`)
  const order = await call('POST', '/api/v1/orders', {
    token: user,
    body: { items: [{ variant_id: variants[0]!.id, quantity: opts.quantity ?? 1 }] },
  })
  expect(order.status, JSON.stringify(order.body)).toBe(201)
  const init = await call('POST', `/api/v1/orders/${order.body.order_id}/payments`, { token: user, body: { email: 'payer@example.test' } })
  expect(init.status, JSON.stringify(init.body)).toBe(201)
  return {
    user,
    orderId: order.body.order_id,
    variantId: variants[0]!.id,
    reference: init.body.reference,
    paymentId: init.body.payment_id,
    authorizationUrl: init.body.authorization_url,
    total: order.body.total,
  }
}

/** Pays in the sandbox (as the checkout would) and delivers the resulting charge.success. */
export async function payAndDeliver(p: PendingPayment, overrides: { amount?: number; currency?: string } = {}) {
  const settled = await sandbox('POST', `/__control/transactions/${p.reference}/settle`, { outcome: 'success', ...overrides })
  expect(settled?.transaction?.status, JSON.stringify(settled)).toBe('success')
  return deliver(await recordedWebhook(p.reference, 'charge.success'))
}

export async function rows<T>(query: ReturnType<typeof import('drizzle-orm').sql>): Promise<T[]> {
  return (await sharedDb().execute(query)) as unknown as T[]
}
