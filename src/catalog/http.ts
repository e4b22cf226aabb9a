import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import type { AppEnv } from '../platform/http/app-env.ts'
import { requireAdmin } from '../platform/http/auth-middleware.ts'
import { domainErrorResponse, HttpError } from '../platform/http/errors.ts'
import { idempotency } from '../platform/http/idempotency.ts'
import { errors, type RouteDoc } from '../platform/http/openapi.ts'
import { PG_INTEGER_MAX, validate } from '../platform/http/validation.ts'
import type { CatalogErrorCode } from './domain/errors.ts'
import type { Product, ProductId, Variant, VariantId } from './domain/variant.ts'
import { createProduct } from './use-cases/create-product.ts'
import { getProduct, listProducts } from './use-cases/read-catalog.ts'
import { restockVariant } from './use-cases/restock-variant.ts'
import { updateProduct, updateVariant } from './use-cases/update-catalog.ts'

// ---- schemas -----------------------------------------------------------------------------------

const text = (max: number) => z.string().trim().min(1).max(max)
const minorUnits = z.number().int().min(0).max(PG_INTEGER_MAX).describe('integer, minor units of currency')
const units = z.number().int().min(0).max(1_000_000)
export const Id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `a ${prefix}_ id`)

const NewVariantSchema = z.strictObject({
  sku: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  name: text(200),
  price: minorUnits,
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code in upper case'),
  stock: units,
})

export const CreateProductRequest = z.strictObject({
  name: text(200),
  description: z.string().max(5000).default(''),
  variants: z
    .array(NewVariantSchema)
    .min(1)
    .max(100)
    .refine((vs) => new Set(vs.map((v) => v.sku)).size === vs.length, 'SKUs must be unique'),
})

export const UpdateProductRequest = z
  .strictObject({ name: text(200).optional(), description: z.string().max(5000).optional(), status: z.enum(['active', 'archived']).optional() })
  .refine((b) => Object.keys(b).length > 0, 'send at least one field')

export const UpdateVariantRequest = z
  .strictObject({ name: text(200).optional(), price: minorUnits.optional() })
  .refine((b) => Object.keys(b).length > 0, 'send at least one field')

export const RestockRequest = z.strictObject({
  quantity: z.number().int().min(-1_000_000).max(1_000_000).refine((n) => n !== 0, 'must not be 0').describe('units to add; negative writes off'),
  expected_version: z.number().int().min(1).max(PG_INTEGER_MAX).describe('the version you last read: a stale one is refused with 409'),
})

const ProductParam = z.object({ product_id: Id('prd') })
const VariantParam = z.object({ variant_id: Id('var') })
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), after: Id('prd').optional() })

export const VariantView = z.object({
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

export const variantView = (v: Variant): z.infer<typeof VariantView> => ({
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

const actor = (c: { var: AppEnv['Variables'] }) => ({ actor: `user:${c.var.principal!.userId}`, requestId: c.var.requestId })
const catalogDeps = (c: { var: AppEnv['Variables'] }) => c.var.deps.commerce.catalog

// ---- routes ------------------------------------------------------------------------------------

export const catalogRoutes = new Hono<AppEnv>()
  .get('/products', validate('query', ListQuery), async (c) => {
    const q = c.req.valid('query')
    const products = await listProducts(catalogDeps(c), { limit: q.limit, ...(q.after && { after: q.after as ProductId }) })
    const last = products.at(-1)
    return c.json({ products: products.map(productView), next_after: products.length === q.limit && last ? last.id : null })
  })
  .get('/products/:product_id', validate('param', ProductParam), async (c) => {
    const product = await getProduct(catalogDeps(c), c.req.valid('param').product_id as ProductId)
    if (!product) throw new HttpError(404, 'PRODUCT_NOT_FOUND', 'Product not found')
    return c.json({ product: productView(product) })
  })

export const catalogAdminRoutes = new Hono<AppEnv>()
  .use(requireAdmin)
  .post('/products', idempotency(), validate('json', CreateProductRequest), async (c) => {
    const b = c.req.valid('json')
    const result = await createProduct(catalogDeps(c), {
      ...actor(c),
      name: b.name,
      description: b.description,
      variants: b.variants.map((v) => ({ sku: v.sku, name: v.name, priceAmount: v.price, currency: v.currency, stock: v.stock })),
    })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ product: productView(result.value) }, 201)
  })
  .patch('/products/:product_id', validate('param', ProductParam), validate('json', UpdateProductRequest), async (c) => {
    const result = await updateProduct(catalogDeps(c), {
      ...actor(c),
      productId: c.req.valid('param').product_id as ProductId,
      patch: c.req.valid('json'),
    })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ product: productView(result.value) })
  })
  .patch('/variants/:variant_id', validate('param', VariantParam), validate('json', UpdateVariantRequest), async (c) => {
    const b = c.req.valid('json')
    const result = await updateVariant(catalogDeps(c), {
      ...actor(c),
      variantId: c.req.valid('param').variant_id as VariantId,
      patch: { ...(b.name !== undefined && { name: b.name }), ...(b.price !== undefined && { priceAmount: b.price }) },
    })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    return c.json({ variant: variantView(result.value) })
  })
  .post('/variants/:variant_id/restock', validate('param', VariantParam), validate('json', RestockRequest), async (c) => {
    const b = c.req.valid('json')
    const result = await restockVariant(catalogDeps(c), {
      ...actor(c),
      variantId: c.req.valid('param').variant_id as VariantId,
      delta: b.quantity,
      expectedVersion: b.expected_version,
    })
    if (!result.ok) return domainErrorResponse(c, result.error, STATUS)
    await c.var.deps.commerce.onStockChanged(result.value.id)
    return c.json({ variant: variantView(result.value) })
  })

export const catalogDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/products',
    summary: 'List active products (cached, paginated by id)',
    tag: 'catalog',
    auth: 'none',
    query: ListQuery,
    responses: { 200: { description: 'A page of products', schema: z.object({ products: z.array(ProductView), next_after: z.string().nullable() }) }, ...errors(400) },
  },
  {
    method: 'get',
    path: '/api/v1/products/:product_id',
    summary: 'One product with its variants, prices and availability (cached)',
    tag: 'catalog',
    auth: 'none',
    params: ProductParam,
    responses: { 200: { description: 'The product', schema: z.object({ product: ProductView }) }, ...errors(400, 404) },
  },
  {
    method: 'post',
    path: '/api/admin/products',
    summary: 'Create a product with its variants',
    tag: 'catalog admin',
    auth: 'admin',
    idempotent: true,
    body: CreateProductRequest,
    responses: { 201: { description: 'Created', schema: z.object({ product: ProductView }) }, ...errors(400, 401, 403, 409) },
  },
  {
    method: 'patch',
    path: '/api/admin/products/:product_id',
    summary: 'Rename, describe, archive or reactivate a product',
    tag: 'catalog admin',
    auth: 'admin',
    params: ProductParam,
    body: UpdateProductRequest,
    responses: { 200: { description: 'Updated', schema: z.object({ product: ProductView }) }, ...errors(400, 401, 403, 404) },
  },
  {
    method: 'patch',
    path: '/api/admin/variants/:variant_id',
    summary: "Change a variant's name or price",
    tag: 'catalog admin',
    auth: 'admin',
    params: VariantParam,
    body: UpdateVariantRequest,
    responses: { 200: { description: 'Updated', schema: z.object({ variant: VariantView }) }, ...errors(400, 401, 403, 404) },
  },
  {
    method: 'post',
    path: '/api/admin/variants/:variant_id/restock',
    summary: 'Add (or write off) stock, guarded by the version you read',
    tag: 'catalog admin',
    auth: 'admin',
    params: VariantParam,
    body: RestockRequest,
    responses: { 200: { description: 'Restocked', schema: z.object({ variant: VariantView }) }, ...errors(400, 401, 403, 404, 409) },
  },
]
