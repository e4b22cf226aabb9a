import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/** The object store of runtimes without R2 (Deno): small generated files only. */
export const storedFiles = pgTable('stored_files', {
  key: text('key').primaryKey(),
  body: text('body').notNull(),
  contentType: text('content_type').notNull(),
  size: integer('size').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
})
