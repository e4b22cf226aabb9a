/**
 * What the carts context offers other contexts beyond its ports and domain types: the guest cart
 * merge a login runs (identity), and the cart's HTTP shape the login answers with.
 */
export { CartSessionSchema, CartView, cartView } from './http.ts'
export { mergeGuestCart } from './use-cases/merge-guest-cart.ts'
