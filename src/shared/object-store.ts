/**
 * Where generated files go (invoices, transaction-history files). R2 on Workers; a Postgres table
 * where no bucket exists (Deno). Keys are paths like `invoices/2026/11/ord_….html`.
 */
export interface StoredObject {
  readonly key: string
  readonly body: string
  readonly contentType: string
  readonly size: number
}

export interface ObjectStore {
  /** Writes (or overwrites) an object; writing the same bytes twice is harmless. */
  put(key: string, body: string, contentType: string): Promise<void>
  get(key: string): Promise<StoredObject | null>
  list(prefix: string): Promise<string[]>
}
