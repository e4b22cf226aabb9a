import type { VariantId } from '../../catalog/domain/variant.ts'
import { err, ok, type Result } from '../../shared/result.ts'
import { lineCap } from '../domain/cart.ts'
import { cartErrors, type CartError } from '../domain/errors.ts'
import type { CartOwner } from '../ports.ts'
import type { CartDeps } from '../deps.ts'
import { viewCart, type PricedCart } from './view-cart.ts'

const storeOf = (deps: CartDeps, owner: CartOwner) => (owner.kind === 'guest' ? deps.guests : deps.users)

/** Every write re-reads the variant: it must exist, be on sale, and have the units available. */
async function capFor(deps: CartDeps, variantId: VariantId): Promise<Result<number, CartError>> {
  const variant = (await deps.catalog.findVariants([variantId], deps.clock.now())).get(variantId)
  if (!variant) return err(cartErrors.variantNotFound(variantId))
  if (!variant.purchasable) return err(cartErrors.notPurchasable(variantId))
  return ok(lineCap(variant.available, variant.purchasable))
}

export async function addToCart(
  deps: CartDeps,
  owner: CartOwner,
  variantId: VariantId,
  quantity: number,
): Promise<Result<PricedCart, CartError>> {
  const cap = await capFor(deps, variantId)
  if (!cap.ok) return cap
  const store = storeOf(deps, owner)
  const current = (await store.lines(owner)).find((l) => l.variantId === variantId)?.quantity ?? 0
  if (current + quantity > cap.value) return err(cartErrors.insufficientStock(variantId, cap.value))
  await store.add(owner, variantId, quantity, cap.value)
  return ok(await viewCart(deps, owner))
}

export async function setCartQuantity(
  deps: CartDeps,
  owner: CartOwner,
  variantId: VariantId,
  quantity: number,
): Promise<Result<PricedCart, CartError>> {
  if (quantity > 0) {
    const cap = await capFor(deps, variantId)
    if (!cap.ok) return cap
    if (quantity > cap.value) return err(cartErrors.insufficientStock(variantId, cap.value))
  }
  await storeOf(deps, owner).set(owner, variantId, quantity)
  return ok(await viewCart(deps, owner))
}

export async function removeFromCart(deps: CartDeps, owner: CartOwner, variantId: VariantId): Promise<PricedCart> {
  await storeOf(deps, owner).remove(owner, variantId)
  return viewCart(deps, owner)
}
