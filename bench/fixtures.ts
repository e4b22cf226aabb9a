/**
 * Data the benches prepare through the service's own API before measuring (never measured):
 * products, login accounts, gifts, PayPay-linked users with points, and paid ZaloPay sessions
 * whose signed callbacks were held back so the bench can deliver them itself.
 */
import { createHmac } from 'node:crypto'
import { DEV_SECRETS, devToken } from '../tools/dev/stack.ts'
import { parallel, type BenchClient } from './client.ts'

export const BENCH_PASSWORD = 'bench-password-123'

/** One product with `count` variants; answers the variant ids. */
export async function createVariants(
  c: BenchClient,
  admin: string,
  label: string,
  count: number,
  stock: number,
  price = 1000,
): Promise<string[]> {
  const product = await c.must('POST', '/api/admin/products', {
    token: admin,
    body: {
      name: label,
      variants: Array.from({ length: count }, (_, i) => ({
        sku: `${label.replace(/\W+/g, '-').toUpperCase()}-${i}`,
        name: `v${i}`,
        price,
        currency: 'NGN',
        stock,
      })),
    },
  })
  return (product.product.variants as Array<{ id: string }>).map((v) => v.id)
}

/** Registered accounts (password BENCH_PASSWORD) for the login endpoint; answers their emails. */
export function registerAccounts(c: BenchClient, rid: string, count: number): Promise<string[]> {
  return parallel(count, 4, async (i) => {
    const email = `bench-${rid.toLowerCase()}-${i}@example.test`
    await c.must('POST', '/api/v1/auth/register', { body: { email, password: BENCH_PASSWORD } })
    return email
  })
}

/** Fresh gifts of 500 JPY, 1000 per batch, redeemable by the seed's suppliers. */
export async function issueGifts(c: BenchClient, admin: string, rid: string, batches: number): Promise<string[]> {
  const gifts: string[] = []
  for (let b = 0; b < batches; b++) {
    const r = await c.must('POST', '/api/admin/gifts', {
      token: admin,
      headers: { 'idempotency-key': `bench-gifts-${rid}-${b}` },
      body: { count: 1000, prefix: `B${rid.slice(-6)}${b}`, amount: 500, currency: 'JPY' },
    })
    gifts.push(...(r.gifts as Array<{ gift_id: string }>).map((g) => g.gift_id))
  }
  return gifts
}

/** Users linked to PayPay through the sandbox's real consent flow, each with 10 000 000 points; answers their tokens. */
export function linkPayPayUsers(c: BenchClient, admin: string, rid: string, count: number): Promise<string[]> {
  return parallel(count, 4, async (i) => {
    const userId = `bench-pp-${rid}-${i}`
    const token = await devToken(userId, [])
    const session = await c.must('POST', '/api/v1/paypay/sessions', { token })
    const consent = await fetch(session.link_url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        action: 'approve',
        phone: `080${String(10_000_000 + i * 7919 + Math.floor(Math.random() * 1e6)).slice(-8)}`,
      }).toString(),
      redirect: 'manual',
    })
    await consent.arrayBuffer()
    const responseToken = new URL(consent.headers.get('location')!).searchParams.get('responseToken')!
    await c.must('PUT', '/api/v1/paypay/update_session', { token, body: { responseToken } })
    await c.must('POST', '/api/admin/loyalty/points', {
      token: admin,
      body: { user_id: userId, points: 10_000_000, reason: 'bench', idempotency_key: `bench-${rid}-${i}` },
    })
    return token
  })
}

/**
 * Won auctions with a ZaloPay session each, paid on the sandbox with the callback held back;
 * answers the key2-signed callback bodies the endpoint would receive.
 */
export function paidZaloPayCallbacks(c: BenchClient, admin: string, zalopayUrl: string, rid: string, count: number): Promise<string[]> {
  const zalopay = (url: string, body?: unknown) =>
    fetch(`${zalopayUrl}${url}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    }).then((r) => r.json() as Promise<any>)
  return parallel(count, 4, async (i) => {
    const guest = `bench-zp-${rid}-${i}`
    const property = await c.must('POST', '/api/admin/properties', {
      token: admin,
      body: { name: `Villa ${rid} ${i}`, hostId: `host-${rid}`, maxGuests: 4, nightlyRate: 1_000_000 },
    })
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10)
    const nights = [day(30 + i * 2), day(31 + i * 2)]
    const auction = await c.must('POST', '/api/admin/auctions', { token: admin, body: { propertyId: property.property.id, nights } })
    await c.must('POST', `/api/admin/auctions/${auction.auction.id}/results`, {
      token: admin,
      body: {
        awards: [
          { userId: guest, nights, amount: 2_000_000, paymentDeadline: new Date(Date.now() + 86_400_000).toISOString(), runnersUp: [] },
        ],
      },
    })
    const created = await c.must('POST', '/api/v1/payment/zalopay/create', {
      token: await devToken(guest, []),
      body: { orderInfo: 'bench', auctionId: auction.auction.id, selectedNights: nights, amount: 2_000_000 },
    })
    const appTransId = created.appTransId as string
    await zalopay('/__control/callbacks/suppress', { app_trans_id: appTransId })
    await zalopay(`/__control/orders/${appTransId}/settle`, { outcome: 'success' })
    const { deliveries } = await zalopay(`/__control/callbacks?app_trans_id=${appTransId}`)
    return (deliveries as Array<{ kind: string; body: string }>).find((d) => d.kind === 'payment')!.body
  })
}

/** Settles charges on the Paystack sandbox (its own webhooks held back); answers what a charge.success carries. */
export async function settleOnPaystack(
  paystackUrl: string,
  references: string[],
): Promise<Array<{ amount: number; id: number; reference: string; currency: string }>> {
  await fetch(`${paystackUrl}/__control/webhooks/suppress`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ on: true }),
  }).then((r) => r.arrayBuffer())
  return parallel(references.length, 8, async (i) => {
    const r = await fetch(`${paystackUrl}/__control/transactions/${references[i]}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'success' }),
    })
    return ((await r.json()) as { transaction?: { amount: number; id: number; reference: string; currency: string } }).transaction!
  })
}

/** A signed Paystack charge.success for a settled sandbox transaction. */
export function chargeSuccess(t: { amount: number; id: number; reference: string; currency: string }): { body: string; signature: string } {
  const body = JSON.stringify({
    event: 'charge.success',
    data: {
      id: t.id,
      status: 'success',
      reference: t.reference,
      amount: t.amount,
      currency: t.currency,
      paid_at: new Date().toISOString(),
    },
  })
  return { body, signature: createHmac('sha512', DEV_SECRETS.paystackSecretKey).update(body).digest('hex') }
}
