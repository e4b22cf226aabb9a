/** Nominal typing for ids and other strings that must not be mixed up (a GiftId is not a SupplierCode). */
declare const brand: unique symbol
export type Brand<T, B extends string> = T & { readonly [brand]: B }
