import { createRoute } from '@hono/zod-openapi'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import type { Principal } from '../platform/auth.ts'
import type { AppEnv } from '../platform/http/app-env.ts'
import { HttpError } from '../platform/http/errors.ts'
import { errorResponses, guard, json, jsonBody, refuse, routesOf } from '../platform/http/route-kit.ts'
import { currencyCode, minorUnits, pageLimit, prefixedId, text } from '../platform/http/schemas.ts'
import { PG_INTEGER_MAX } from '../platform/http/validation.ts'
import type { CatalogErrorCode } from './domain/errors.ts'
import type { Product, ProductId, Variant, VariantId } from './domain/variant.ts'
import { createProduct } from './use-cases/create-product.ts'
import { getProduct, listProducts } from './use-cases/read-catalog.ts'
import { restockVariant } from './use-cases/restock-variant.ts'
import { updateProduct, updateVariant } from './use-cases/update-catalog.ts'

// ---- schemas -----------------------------------------------------------------------------------

const units = z.number().int().min(0).max(1_000_000)

const NewVariantSchema = z.strictObject({
  sku: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  name: text(200),
  price: minorUnits,
  currency: currencyCode,
  stock: units,
})

const CreateProductRequest = z.strictObject({
  name: text(200),
  description: z.string().max(5000).default(''),
  variants: z
    .array(NewVariantSchema)
    .min(1)
    .max(100)
    .refine((vs) => new Set(vs.map((v) => v.sku)).size === vs.length, 'SKUs must be unique'),
})

const UpdateProductRequest = z
  .strictObject({
    name: text(200).optional(),
    description: z.string().max(5000).optional(),
    status: z.enum(['active', 'archived']).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'send at least one field')

const UpdateVariantRequest = z
  .strictObject({ name: text(200).optional(), price: minorUnits.optional() })
  .refine((b) => Object.keys(b).length > 0, 'send at least one field')

const RestockRequest = z.strictObject({
  quantity: z
    .number()
    .int()
    .min(-1_000_000)
    .max(1_000_000)
    .refine((n) => n !== 0, 'must not be 0')
    .describe('units to add; negative writes off'),
  expected_version: z.number().int().min(1).max(PG_INTEGER_MAX).describe('the version you last read: a stale one is refused with 409'),
})

const ProductParam = z.object({ product_id: prefixedId('prd') })
const VariantParam = z.object({ variant_id: prefixedId('var') })
const ListQuery = z.object({ limit: pageLimit, after: prefixedId('prd').optional() })

const VariantView = z.object({
  id: z.string(),
  product_id: z.string(),
  sku: z.string(),
  name: z.string(),
  price: z.number().int(),
  currency: z.string(),
  stock: z.number().int(),
  available: z.number().int().describe('what can be bought now (expired reservations ignored)'),
  version: z.number().int(),
  purchasable: z.boolean(),
})
const ProductView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  status: z.enum(['active', 'archived']),
  variants: z.array(VariantView),
})

const variantView = (v: Variant): z.infer<typeof VariantView> => ({
  id: v.id,
  product_id: v.productId,
  sku: v.sku,
  name: v.name,
  price: v.price.amount,
  currency: v.price.currency,
  stock: v.stock,
  available: v.available,
  version: v.version,
  purchasable: v.purchasable,
})
const productView = (p: Product): z.infer<typeof ProductView> => ({
  id: p.id,
  name: p.name,
  description: p.description,
  status: p.status,
  variants: p.variants.map(variantView),
})

const STATUS: Record<CatalogErrorCode, ContentfulStatusCode> = {
  PRODUCT_NOT_FOUND: 404,
  VARIANT_NOT_FOUND: 404,
  SKU_EXISTS: 409,
  VERSION_CONFLICT: 409,
  STOCK_BELOW_RESERVED: 409,
}

const actor = (principal: Principal, requestId: string) => ({ actor: `user:${principal.userId}`, requestId })
const catalogDeps = (v: AppEnv['Variables']) => v.deps.catalog

// ---- routes ------------------------------------------------------------------------------------

const list = createRoute({
  method: 'get',
  path: '/products',
  summary: 'List active products (cached, paginated by id)',
  tags: ['catalog'],
  ...guard('none'),
  request: { query: ListQuery },
  responses: {
    200: json(z.object({ products: z.array(ProductView), next_after: z.string().nullable() }), 'A page of products'),
    ...errorResponses(400),
  },
})

const show = createRoute({
  method: 'get',
  path: '/products/{product_id}',
  summary: 'One product with its variants, prices and availability (cached)',
  tags: ['catalog'],
  ...guard('none'),
  request: { params: ProductParam },
  responses: { 200: json(z.object({ product: ProductView }), 'The product'), ...errorResponses(400, 404) },
})

export const catalogRoutes = routesOf()
  .openapi(list, async (c) => {
    const q = c.req.valid('query')
    const products = await listProducts(catalogDeps(c.var), { limit: q.limit, ...(q.after && { after: q.after as ProductId }) })
    const last = products.at(-1)
    return c.json({ products: products.map(productView), next_after: products.length === q.limit && last ? last.id : null }, 200)
  })
  .openapi(show, async (c) => {
    const product = await getProduct(catalogDeps(c.var), c.req.valid('param').product_id as ProductId)
    if (!product) throw new HttpError(404, 'PRODUCT_NOT_FOUND', 'Product not found')
    return c.json({ product: productView(product) }, 200)
  })

const create = createRoute({
  method: 'post',
  path: '/products',
  summary: 'Create a product with its variants',
  tags: ['catalog admin'],
  ...guard('admin', { idempotent: true }),
  request: { body: jsonBody(CreateProductRequest) },
  responses: { 201: json(z.object({ product: ProductView }), 'Created'), ...errorResponses(400, 401, 403, 409) },
})

const editProduct = createRoute({
  method: 'patch',
  path: '/products/{product_id}',
  summary: 'Rename, describe, archive or reactivate a product',
  tags: ['catalog admin'],
  ...guard('admin'),
  request: { params: ProductParam, body: jsonBody(UpdateProductRequest) },
  responses: { 200: json(z.object({ product: ProductView }), 'Updated'), ...errorResponses(400, 401, 403, 404) },
})

const editVariant = createRoute({
  method: 'patch',
  path: '/variants/{variant_id}',
  summary: "Change a variant's name or price",
  tags: ['catalog admin'],
  ...guard('admin'),
  request: { params: VariantParam, body: jsonBody(UpdateVariantRequest) },
  responses: { 200: json(z.object({ variant: VariantView }), 'Updated'), ...errorResponses(400, 401, 403, 404) },
})

const restock = createRoute({
  method: 'post',
  path: '/variants/{variant_id}/restock',
  summary: 'Add (or write off) stock, guarded by the version you read',
  tags: ['catalog admin'],
  ...guard('admin'),
  request: { params: VariantParam, body: jsonBody(RestockRequest) },
  responses: { 200: json(z.object({ variant: VariantView }), 'Restocked'), ...errorResponses(400, 401, 403, 404, 409) },
})

export const catalogAdminRoutes = routesOf()
  .openapi(create, async (c) => {
    const b = c.req.valid('json')
    const result = await createProduct(catalogDeps(c.var), {
      ...actor(c.var.principal, c.var.requestId),
      name: b.name,
      description: b.description,
      variants: b.variants.map((v) => ({ sku: v.sku, name: v.name, priceAmount: v.price, currency: v.currency, stock: v.stock })),
    })
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ product: productView(result.value) }, 201)
  })
  .openapi(editProduct, async (c) => {
    const result = await updateProduct(catalogDeps(c.var), {
      ...actor(c.var.principal, c.var.requestId),
      productId: c.req.valid('param').product_id as ProductId,
      patch: c.req.valid('json'),
    })
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ product: productView(result.value) }, 200)
  })
  .openapi(editVariant, async (c) => {
    const b = c.req.valid('json')
    const result = await updateVariant(catalogDeps(c.var), {
      ...actor(c.var.principal, c.var.requestId),
      variantId: c.req.valid('param').variant_id as VariantId,
      patch: { ...(b.name !== undefined && { name: b.name }), ...(b.price !== undefined && { priceAmount: b.price }) },
    })
    if (!result.ok) refuse(result.error, STATUS)
    return c.json({ variant: variantView(result.value) }, 200)
  })
  .openapi(restock, async (c) => {
    const b = c.req.valid('json')
    const result = await restockVariant(catalogDeps(c.var), {
      ...actor(c.var.principal, c.var.requestId),
      variantId: c.req.valid('param').variant_id as VariantId,
      delta: b.quantity,
      expectedVersion: b.expected_version,
    })
    if (!result.ok) refuse(result.error, STATUS)
    await c.var.deps.inventory.onStockChanged(result.value.id)
    return c.json({ variant: variantView(result.value) }, 200)
  })
