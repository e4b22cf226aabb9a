import { beforeAll, describe, expect, it } from 'vitest'
import { adminToken, call, token } from '../helpers.ts'
import { newProduct } from './fixtures.ts'

let admin: string

beforeAll(async () => {
  admin = await adminToken()
})

describe('catalog', () => {
  it('creates a product with variants priced in minor units and serves it publicly', async () => {
    const { productId, variants } = await newProduct([{ stock: 7, price: 1999 }, { stock: 0 }])
    const res = await call('GET', `/api/v1/products/${productId}`)
    expect(res.status).toBe(200)
    const [a, b] = res.body.product.variants
    expect(a).toMatchObject({ id: variants[0]!.id, price: 1999, currency: 'NGN', stock: 7, available: 7, version: 1, purchasable: true })
    expect(b).toMatchObject({ stock: 0, available: 0 })
  })

  it('refuses non-admins, bad bodies and duplicate SKUs without writing anything', async () => {
    const user = await token('user-catalog')
    const body = { name: 'X', variants: [{ sku: 'DUP-SKU-1', name: 'v', price: 100, currency: 'NGN', stock: 1 }] }
    expect((await call('POST', '/api/admin/products', { token: user, body })).status).toBe(403)
    expect((await call('POST', '/api/admin/products', { body })).status).toBe(401)
    const bad = await call('POST', '/api/admin/products', {
      token: admin,
      body: { name: 'X', variants: [{ sku: 'S', name: 'v', price: 10.5, currency: 'ngn', stock: -1 }] },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('VALIDATION_FAILED')
    const paths = bad.body.error.details.map((d: { path: string }) => d.path)
    expect(paths).toEqual(expect.arrayContaining(['variants.0.price', 'variants.0.currency', 'variants.0.stock']))

    const { variants } = await newProduct([{ stock: 1 }])
    const dup = await call('POST', '/api/admin/products', {
      token: admin,
      body: { name: 'Y', variants: [{ sku: variants[0]!.sku, name: 'v', price: 100, currency: 'NGN', stock: 1 }] },
    })
    expect(dup.status).toBe(409)
    expect(dup.body.error.code).toBe('SKU_EXISTS')
  })

  it('restocks with the version it read; a stale version is a 409 and changes nothing', async () => {
    const { productId, variants } = await newProduct([{ stock: 3 }])
    const id = variants[0]!.id
    const first = await call('POST', `/api/admin/variants/${id}/restock`, { token: admin, body: { quantity: 5, expected_version: 1 } })
    expect(first.status).toBe(200)
    expect(first.body.variant).toMatchObject({ stock: 8, version: 2 })

    const stale = await call('POST', `/api/admin/variants/${id}/restock`, { token: admin, body: { quantity: 5, expected_version: 1 } })
    expect(stale.status).toBe(409)
    expect(stale.body.error).toMatchObject({ code: 'VERSION_CONFLICT', details: { current_version: 2 } })

    const below = await call('POST', `/api/admin/variants/${id}/restock`, { token: admin, body: { quantity: -9, expected_version: 2 } })
    expect(below.status).toBe(409)
    expect(below.body.error.code).toBe('STOCK_BELOW_RESERVED')

    const read = await call('GET', `/api/v1/products/${productId}`)
    expect(read.body.product.variants[0]).toMatchObject({ stock: 8, version: 2 })
  })

  it('invalidates cached reads on every change', async () => {
    const { productId, variants } = await newProduct([{ stock: 2, price: 100 }])
    expect((await call('GET', `/api/v1/products/${productId}`)).body.product.variants[0].price).toBe(100)
    const patched = await call('PATCH', `/api/admin/variants/${variants[0]!.id}`, { token: admin, body: { price: 250 } })
    expect(patched.status).toBe(200)
    expect((await call('GET', `/api/v1/products/${productId}`)).body.product.variants[0].price).toBe(250)

    const archived = await call('PATCH', `/api/admin/products/${productId}`, { token: admin, body: { status: 'archived' } })
    expect(archived.status).toBe(200)
    const after = await call('GET', `/api/v1/products/${productId}`)
    expect(after.body.product.status).toBe('archived')
    expect(after.body.product.variants[0].purchasable).toBe(false)
  })

  it('pages through the public list by id', async () => {
    await newProduct([{ stock: 1 }])
    await newProduct([{ stock: 1 }])
    const first = await call('GET', '/api/v1/products?limit=1')
    expect(first.status).toBe(200)
    expect(first.body.products).toHaveLength(1)
    const second = await call('GET', `/api/v1/products?limit=1&after=${first.body.next_after}`)
    expect(second.body.products[0].id > first.body.products[0].id).toBe(true)
    expect((await call('GET', '/api/v1/products?limit=0')).status).toBe(400)
  })
})
