import { env, runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { VariantId } from '../../../src/catalog/domain/variant.ts'
import { DurableObjectInventoryLock } from '../../../src/inventory/adapters/durable-object-inventory-lock.ts'
import type { VariantStockObject } from '../../../src/inventory/adapters/variant-stock-object.ts'
import { sharedDb } from '../db.ts'
import { uniq } from '../helpers.ts'
import { ageOrder, newProduct, stockRow } from './fixtures.ts'

const ns = () => (env as unknown as { VARIANT_STOCK: DurableObjectNamespace<VariantStockObject> }).VARIANT_STOCK
const lock = () => new DurableObjectInventoryLock(ns(), sharedDb())
const stub = (variantId: string) => ns().get(ns().idFromName(variantId))
const in15 = () => new Date(Date.now() + 15 * 60_000)

describe('Durable Object inventory lock', () => {
  it('200 concurrent reservations on a variant with stock 50: exactly 50 succeed', async () => {
    const { variants } = await newProduct([{ stock: 50 }])
    const v = variants[0]!.id as VariantId
    const l = lock()
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => l.reserve(`ord_DO${uniq()}${i}`, [{ variantId: v, quantity: 1 }], in15(), new Date())),
    )
    expect(outcomes.filter((o) => o.ok)).toHaveLength(50)
    expect(outcomes.filter((o) => !o.ok).every((o) => !o.ok && o.available === 0)).toBe(true)
    expect(await stockRow(v)).toMatchObject({ stock: 50, reserved: 50, active: 50 })
    expect(await stub(v).inspect()).toMatchObject({ loaded: true, stock: 50, reserved: 50, holds: 50 })
  })

  it('holds all lines of an order or none: a refused line undoes the others', async () => {
    const { variants } = await newProduct([{ stock: 5 }, { stock: 1 }, { stock: 5 }])
    const [a, b, c] = variants.map((x) => x.id as VariantId) as [VariantId, VariantId, VariantId]
    const outcome = await lock().reserve(
      `ord_ML${uniq()}`,
      [
        { variantId: a, quantity: 2 },
        { variantId: b, quantity: 2 },
        { variantId: c, quantity: 2 },
      ],
      in15(),
      new Date(),
    )
    expect(outcome).toEqual({ ok: false, variantId: b, available: 1 })
    for (const id of [a, b, c]) expect(await stockRow(id)).toMatchObject({ reserved: 0, active: 0 })
  })

  it('is idempotent per order and releases once', async () => {
    const { variants } = await newProduct([{ stock: 3 }])
    const v = variants[0]!.id as VariantId
    const l = lock()
    const orderId = `ord_ID${uniq()}`
    expect(await l.reserve(orderId, [{ variantId: v, quantity: 2 }], in15(), new Date())).toEqual({ ok: true })
    expect(await l.reserve(orderId, [{ variantId: v, quantity: 2 }], in15(), new Date())).toEqual({ ok: true })
    expect(await stockRow(v)).toMatchObject({ reserved: 2, active: 2 })
    expect(await l.release(orderId, 'released', new Date())).toBe(1)
    expect(await l.release(orderId, 'released', new Date())).toBe(0)
    expect(await stockRow(v)).toMatchObject({ reserved: 0, active: 0 })
  })

  it('its alarm returns lapsed reservations to availability on time, without the clean-up job', async () => {
    const { variants } = await newProduct([{ stock: 4 }])
    const v = variants[0]!.id as VariantId
    const orderId = `ord_AL${uniq()}`
    expect(await lock().reserve(orderId, [{ variantId: v, quantity: 4 }], in15(), new Date())).toEqual({ ok: true })
    expect(await stub(v).inspect()).toMatchObject({ holds: 1 })
    await ageOrder(orderId, 15 * 60 + 1)
    // Re-reading the aged deadline sets the alarm in the past, so the runtime may already have run
    // it; run it now if it has not, then wait for its write to land.
    await runDurableObjectAlarm(stub(v))
    await expect.poll(() => stockRow(v), { timeout: 5000 }).toMatchObject({ stock: 4, reserved: 0, active: 0 })
    expect(await stub(v).inspect()).toMatchObject({ holds: 0 })
    const db = sharedDb()
    const { sql } = await import('drizzle-orm')
    const [r] = await db.execute<{ status: string }>(sql`select status from reservations where order_id = ${orderId}`)
    expect(r!.status).toBe('expired')
  })

  it('rebuilds from Postgres when it loses its memory mid-run: no reservation lost, none oversold', async () => {
    const { variants } = await newProduct([{ stock: 30 }])
    const v = variants[0]!.id as VariantId
    const l = lock()
    const attempts = Array.from({ length: 90 }, (_, i) => async () => {
      if (i % 20 === 10) await stub(v).forget()
      return l.reserve(`ord_RS${uniq()}${i}`, [{ variantId: v, quantity: 1 }], in15(), new Date())
    })
    const outcomes = await Promise.all(attempts.map((f) => f()))
    expect(outcomes.filter((o) => o.ok)).toHaveLength(30)
    expect(await stockRow(v)).toMatchObject({ stock: 30, reserved: 30, active: 30 })
    await stub(v).forget()
    expect(await l.reserve(`ord_RS${uniq()}`, [{ variantId: v, quantity: 1 }], in15(), new Date())).toMatchObject({ ok: false })
    expect(await stub(v).inspect()).toMatchObject({ loaded: true, reserved: 30, holds: 30 })
  })

  it('re-reads the stock after a restock made outside it', async () => {
    const { variants } = await newProduct([{ stock: 1 }])
    const v = variants[0]!.id as VariantId
    const l = lock()
    expect(await l.reserve(`ord_RK${uniq()}`, [{ variantId: v, quantity: 1 }], in15(), new Date())).toEqual({ ok: true })
    expect((await l.reserve(`ord_RK${uniq()}`, [{ variantId: v, quantity: 1 }], in15(), new Date())).ok).toBe(false)
    const db = sharedDb()
    const { sql } = await import('drizzle-orm')
    await db.execute(sql`update product_variants set stock = stock + 2, version = version + 1 where id = ${v}`)
    await l.onStockChanged(v)
    expect(await l.reserve(`ord_RK${uniq()}`, [{ variantId: v, quantity: 2 }], in15(), new Date())).toEqual({ ok: true })
    expect(await stockRow(v)).toMatchObject({ stock: 3, reserved: 3 })
  })
})
