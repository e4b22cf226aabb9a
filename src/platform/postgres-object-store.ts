import { eq, like } from 'drizzle-orm'
import { storedFiles } from '../db/schema.ts'
import type { ObjectStore, StoredObject } from '../shared/object-store.ts'
import type { Db } from './db.ts'

/** The object store where no R2 bucket is bound (the Deno entry). */
export class PostgresObjectStore implements ObjectStore {
  constructor(private readonly db: Db) {}

  async put(key: string, body: string, contentType: string): Promise<void> {
    const size = new TextEncoder().encode(body).length
    await this.db
      .insert(storedFiles)
      .values({ key, body, contentType, size })
      .onConflictDoUpdate({ target: storedFiles.key, set: { body, contentType, size, updatedAt: new Date() } })
  }

  async get(key: string): Promise<StoredObject | null> {
    const [row] = await this.db.select().from(storedFiles).where(eq(storedFiles.key, key))
    return row ? { key: row.key, body: row.body, contentType: row.contentType, size: row.size } : null
  }

  async list(prefix: string): Promise<string[]> {
    const escaped = prefix.replace(/[\\%_]/g, '\\$&')
    const rows = await this.db
      .select({ key: storedFiles.key })
      .from(storedFiles)
      .where(like(storedFiles.key, `${escaped}%`))
      .orderBy(storedFiles.key)
    return rows.map((r) => r.key)
  }
}
