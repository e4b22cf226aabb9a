import type { ObjectStore, StoredObject } from '../shared/object-store.ts'
import { guarded } from './dependency.ts'

/** The Workers adapter: a bound R2 bucket. */
export class R2ObjectStore implements ObjectStore {
  constructor(private readonly bucket: R2Bucket) {}

  async put(key: string, body: string, contentType: string): Promise<void> {
    await guarded('r2', () => this.bucket.put(key, body, { httpMetadata: { contentType } }))
  }

  async get(key: string): Promise<StoredObject | null> {
    const obj = await guarded('r2', () => this.bucket.get(key))
    if (!obj) return null
    const body = await obj.text()
    return { key, body, contentType: obj.httpMetadata?.contentType ?? 'application/octet-stream', size: obj.size }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = []
    let cursor: string | undefined
    do {
      const page = await guarded('r2', () => this.bucket.list({ prefix, ...(cursor && { cursor }) }))
      keys.push(...page.objects.map((o) => o.key))
      cursor = page.truncated ? page.cursor : undefined
    } while (cursor)
    return keys
  }
}
