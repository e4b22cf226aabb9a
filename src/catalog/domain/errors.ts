import { domainError, type DomainError } from '../../shared/result.ts'

export const catalogErrors = {
  productNotFound: (id: string) => domainError('PRODUCT_NOT_FOUND', `No product ${id}`, { product_id: id }),
  variantNotFound: (id: string) => domainError('VARIANT_NOT_FOUND', `No variant ${id}`, { variant_id: id }),
  skuTaken: (skus: readonly string[]) => domainError('SKU_EXISTS', `SKU already in use: ${skus.join(', ')}`, { skus }),
  versionConflict: (id: string, expected: number, actual: number) =>
    domainError('VERSION_CONFLICT', `Variant ${id} is at version ${actual}, not ${expected}: reload and retry`, {
      variant_id: id,
      expected_version: expected,
      current_version: actual,
    }),
  stockBelowReserved: (id: string, reserved: number) =>
    domainError('STOCK_BELOW_RESERVED', `Variant ${id} has ${reserved} units reserved; stock cannot go below that`, {
      variant_id: id,
      reserved,
    }),
}

export type CatalogError = ReturnType<(typeof catalogErrors)[keyof typeof catalogErrors]>
export type CatalogErrorCode = CatalogError['code']
export type { DomainError }
