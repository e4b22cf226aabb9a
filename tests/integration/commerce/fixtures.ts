import { env } from 'cloudflare:test'
import { expect } from 'vitest'
import type { VariantStockObject } from '../../../src/inventory/adapters/variant-stock-object.ts'
import { sharedDb } from '../db.ts'
import { adminToken, call, uniq } from '../helpers.ts'

export interface VariantFixture {
  id: string
  sku: string
  price: number
}

/** Creates a product through the admin API and returns its variants in the order given. */
export async function newProduct(
  variants: Array<{ stock: number; price?: number; currency?: string }>,
): Promise<{ productId: string; variants: VariantFixture[] }> {
  const u = uniq()
  const res = await call('POST', '/api/admin/products', {
    token: await adminToken(),
    body: {
      name: `Product ${u}`,
      variants: variants.map((v, i) => ({
        sku: `SKU-${u}-${i}`,
        name: `Variant ${i}`,
        price: v.price ?? 2500,
        currency: v.currency ?? 'NGN',
        stock: v.stock,
      })),
    },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  const bySku = new Map<string, { id: string; sku: string; price: number }>(
    res.body.product.variants.map((v: { id: string; sku: string; price: number }) => [v.sku, v]),
  )
  return {
    productId: res.body.product.id,
    variants: variants.map((_, i) => bySku.get(`SKU-${u}-${i}`)!),
  }
}

export async function stockRow(variantId: string) {
  const db = sharedDb()
  const { sql } = await import('drizzle-orm')
  const [row] = await db.execute<{ stock: number; reserved: number; version: number; active: number }>(sql`
    select v.stock, v.reserved, v.version,
      coalesce((select sum(quantity) from reservations r where r.variant_id = v.id and r.status = 'active'), 0)::integer as active
    from product_variants v where v.id = ${variantId}`)
  return row!
}

/**
 * Pretends `seconds` have passed for an order's reservations and the order's deadline. The
 * variants' Durable Objects keep a copy of the deadlines, so they are told to re-read theirs, as
 * time moving for the database must move for them too.
 */
export async function ageOrder(orderId: string, seconds: number) {
  const db = sharedDb()
  const { sql } = await import('drizzle-orm')
  const moved = await db.execute<{ variant_id: string }>(
    sql`update reservations set reserved_until = reserved_until - make_interval(secs => ${seconds}) where order_id = ${orderId} returning variant_id`,
  )
  await db.execute(sql`update orders set expires_at = expires_at - make_interval(secs => ${seconds}) where id = ${orderId}`)
  const ns = (env as unknown as { VARIANT_STOCK: DurableObjectNamespace<VariantStockObject> }).VARIANT_STOCK
  for (const { variant_id } of moved) await ns.get(ns.idFromName(variant_id)).resync(variant_id)
}
